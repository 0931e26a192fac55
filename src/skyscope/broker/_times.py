"""Turn the times people type (ISO dates, datetimes, epoch seconds) into epoch seconds."""

from __future__ import annotations

import datetime as dt

from ._errors import QueryError

TimeLike = float | int | str | dt.datetime | dt.date


def to_epoch(value: TimeLike, what: str = "time") -> float:
    """Epoch seconds of ``value``; naive dates and datetimes are local time.

    Strings are ISO 8601 (``2024-05-01``, ``2024-05-01 14:30``, ``2024-05-01T14:30:00+02:00``)
    or a number of epoch seconds.
    """
    if isinstance(value, bool):
        raise QueryError(f"{what} must be a time, not a bool: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).timestamp()
    if isinstance(value, str):
        return _parse_text(value, what)
    raise QueryError(f"{what} must be a time (ISO string, datetime or epoch seconds): {value!r}")


def _parse_text(text: str, what: str) -> float:
    """An ISO 8601 date/datetime or a number, as epoch seconds."""
    stripped = text.strip()
    try:
        return float(stripped)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(stripped).timestamp()
    except ValueError:
        raise QueryError(
            f"{what} {text!r} is not a time; use ISO 8601 such as '2024-05-01' or "
            "'2024-05-01 14:30', or epoch seconds"
        ) from None
