"""Checks a stream's event data and timestamps against its descriptor's data keys.

Compiled once per descriptor into a tuple of ``(key, fast types, check)``; an event then costs
two length comparisons and, per key, two lookups and two ``type(x) in fast_types`` tests in the
common case (equal sizes plus every expected key present means equal key sets).
Keys with ``external: "STREAM:"`` are not carried in events: they are dropped if given.
A scalar value of the wrong dtype is accepted and logged once per key per run (event-model's
schema accepts it, and bluesky emits it); other mismatches are refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._data_key import DataKey
from ._dtype_mismatch import DtypeMismatchLog
from ._errors import DocumentValidationError
from ._value_checks import FAST_TYPES, ValueCheck, column_problem, got, is_real, value_check

_TIME_TYPES = FAST_TYPES["number"]


class EventDataChecker:
    """Validates the data, timestamps, times and ``filled`` of one stream's events."""

    __slots__ = (
        "_checks",
        "_data_keys",
        "_mismatches",
        "_scalar_keys",
        "_where",
        "external_keys",
        "keys",
        "stream_keys",
    )

    def __init__(
        self,
        stream: str,
        data_keys: Mapping[str, DataKey],
        mismatches: DtypeMismatchLog | None = None,
    ) -> None:
        """Compile the checks for stream ``stream``; ``mismatches`` is the run's dtype log."""
        self._where = f"in stream {stream!r}"
        self._data_keys = data_keys
        self._mismatches = DtypeMismatchLog() if mismatches is None else mismatches
        self._scalar_keys = frozenset(k for k, v in data_keys.items() if not v["shape"])
        self.stream_keys = frozenset(k for k, v in data_keys.items() if _is_stream_key(v))
        self.keys = frozenset(data_keys) - self.stream_keys
        self.external_keys = tuple(k for k in self.keys if "external" in data_keys[k])
        self._checks: tuple[tuple[str, frozenset[type], ValueCheck], ...] = tuple(
            (key, *value_check(data_keys[key])) for key in sorted(self.keys)
        )

    def event(
        self, data: Mapping[str, Any], timestamps: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return checked plain-dict copies of an event's data and timestamps (no STREAM: keys)."""
        if self.stream_keys:
            data = {k: v for k, v in data.items() if k not in self.stream_keys}
            timestamps = {k: v for k, v in timestamps.items() if k not in self.stream_keys}
        else:
            data = dict(data)
            timestamps = dict(timestamps)
        count = len(self._checks)
        if len(data) != count or len(timestamps) != count:
            raise self._mismatch(data, timestamps)
        try:  # equal sizes, so a missing key is the only way the key sets can differ
            for key, fast_types, check in self._checks:
                value = data[key]
                if type(value) not in fast_types:
                    self._check_value(key, value, check)
                stamp = timestamps[key]
                if type(stamp) not in _TIME_TYPES and not is_real(stamp):
                    raise self._error(f"timestamps[{key!r}]: expected epoch seconds, {got(stamp)}")
        except KeyError:
            raise self._mismatch(data, timestamps) from None
        return data, timestamps

    def _check_value(self, key: str, value: object, check: ValueCheck) -> None:
        problem = check(value)
        if problem is None:
            return
        if key in self._scalar_keys:
            self._mismatches.warn(key, self._data_keys[key], problem, self._where)
            return
        raise self._error(f"data[{key!r}]: {problem}")

    def _mismatch(
        self, data: Mapping[str, Any], timestamps: Mapping[str, Any], kind: str = "event"
    ) -> DocumentValidationError:
        field, given = ("data", data) if data.keys() != self.keys else ("timestamps", timestamps)
        return self._error(self._key_mismatch(field, given), kind=kind)

    def page(
        self,
        data: Mapping[str, Sequence[Any]],
        timestamps: Mapping[str, Sequence[Any]],
        rows: int | None = None,
    ) -> tuple[dict[str, Sequence[Any]], dict[str, Sequence[Any]], int]:
        """Return checked plain-dict copies of an event page's columns, and its number of rows.

        ``rows`` (the length of the page's ``time``, if given) must agree with the columns; it
        alone sets the row count of a stream whose every data key is STREAM:.
        """
        data = {k: v for k, v in data.items() if k not in self.stream_keys}
        timestamps = {k: v for k, v in timestamps.items() if k not in self.stream_keys}
        if data.keys() != self.keys or timestamps.keys() != self.keys:
            raise self._mismatch(data, timestamps, kind="event_page")
        for key, fast_types, check in self._checks:
            column = data[key]
            problem = column_problem(column, self._data_keys[key], fast_types, check)
            if problem is None:
                continue
            if key in self._scalar_keys and _is_column(column):
                self._mismatches.warn(key, self._data_keys[key], problem, self._where)
                continue
            raise self._error(f"data[{key!r}]: {problem}", kind="event_page")
        rows = self._rows(data, timestamps, rows)
        for key, column in timestamps.items():
            bad = [t for t in column if type(t) not in _TIME_TYPES and not is_real(t)][:1]
            if bad:
                raise self._error(f"timestamps[{key!r}]: {got(bad[0])}", kind="event_page")
        return data, timestamps, rows

    def filled(
        self, filled: Mapping[str, bool | str] | None, data: Mapping[str, Any]
    ) -> dict[str, bool | str]:
        """Return the event's ``filled``: as given (checked), or False per external key."""
        if filled is None:
            return dict.fromkeys(self.external_keys, False)
        result = dict(filled)
        self._check_filled_keys(result, data, "event")
        for key, value in result.items():
            if not isinstance(value, bool | str):
                raise self._error(f"filled[{key!r}]: expected a bool or a datum id, {got(value)}")
        return result

    def page_filled(
        self, filled: Mapping[str, Sequence[bool | str]] | None, data: Mapping[str, Any], rows: int
    ) -> dict[str, list[bool | str]]:
        """Return a page's ``filled`` columns: as given (checked), or False per external key."""
        if filled is None:
            return {key: [False] * rows for key in self.external_keys}
        result = {key: list(values) for key, values in filled.items()}
        self._check_filled_keys(result, data, "event_page")
        for key, values in result.items():
            wrong = [v for v in values if not isinstance(v, bool | str)]
            if len(values) != rows or wrong:
                raise self._error(
                    f"filled[{key!r}]: expected {rows} bools or datum ids, got {values!r}",
                    kind="event_page",
                )
        return result

    def _check_filled_keys(
        self, filled: Mapping[str, Any], data: Mapping[str, Any], kind: str
    ) -> None:
        unknown = sorted(filled.keys() - data.keys())
        if unknown:
            raise self._error(f"filled names keys that are not in data: {unknown}", kind=kind)

    def check_time(self, time: object, kind: str = "event") -> None:
        """Refuse a document time that is not a real number."""
        if type(time) not in _TIME_TYPES and not is_real(time):
            raise self._error(f"time: expected a number (epoch s), {got(time)}", kind=kind)

    def _rows(
        self,
        data: Mapping[str, Sequence[Any]],
        timestamps: Mapping[str, Sequence[Any]],
        rows: int | None,
    ) -> int:
        lengths = {f"data[{k!r}]": len(v) for k, v in data.items()}
        lengths.update({f"timestamps[{k!r}]": len(v) for k, v in timestamps.items()})
        if rows is not None:
            lengths["time"] = rows
        distinct = set(lengths.values())
        if len(distinct) > 1:
            raise self._error(f"columns differ in length: {lengths}", kind="event_page")
        count = distinct.pop() if distinct else 0
        if count == 0:
            raise self._error("an event page needs at least one row", kind="event_page")
        return count

    def _key_mismatch(self, field: str, given: Mapping[str, Any]) -> str:
        missing = sorted(self.keys - given.keys())
        unexpected = sorted(given.keys() - self.keys)
        found = [f"missing {missing}"] * bool(missing) + [f"unexpected {unexpected}"] * bool(
            unexpected
        )
        return (
            f"{field} keys do not match the descriptor's data keys: {', '.join(found)} "
            f"(expected {sorted(self.keys)})"
        )

    def _error(self, problem: str, kind: str = "event") -> DocumentValidationError:
        return DocumentValidationError(kind, problem, where=self._where)


def _is_column(column: object) -> bool:
    return isinstance(column, Sequence | np.ndarray) and not isinstance(column, str)


def _is_stream_key(data_key: DataKey) -> bool:
    return data_key.get("external") == "STREAM:"
