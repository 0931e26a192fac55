"""``RunChecker``: follow a stream of ``(name, doc)`` and check the documents agree.

Each document may be valid alone yet wrong in its run: an event for a descriptor never seen, a
``seq_num`` that skips, a datum of an unknown resource. The checker keeps what it has seen of
the current run and refuses the first document that does not fit, naming the mismatch.
Runs may follow one another; a new start is accepted once the previous run has stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

from ._errors import DocumentValidationError
from ._validate import validate


class RunChecker:
    """Check the cross-document consistency of a stream of documents (one run at a time)."""

    def __init__(self, *, validate_each: bool = True) -> None:
        """Start before any run; with ``validate_each`` each document is also schema-checked."""
        self._validate_each = validate_each
        self._kind = "start"
        self._reset(None)
        self._handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "start": self._start,
            "descriptor": self._descriptor,
            "event": self._event,
            "event_page": self._event_page,
            "resource": self._resource,
            "datum": self._datum,
            "datum_page": self._datum,
            "stream_resource": self._stream_resource,
            "stream_datum": self._stream_datum,
            "stop": self._stop,
        }

    def _reset(self, start_uid: str | None) -> None:
        """Forget the previous run: follow the run whose start has ``start_uid``."""
        self._start_uid = start_uid
        self._stopped = False
        self._stream_of: dict[str, str] = {}  # descriptor uid -> stream name
        self._stream_keys: dict[str, frozenset[str]] = {}  # descriptor uid -> STREAM: keys
        self._events: dict[str, int] = {}  # stream name -> events seen
        self._rows: dict[str, int] = {}  # stream name -> last seq_num a stream datum covers
        self._resources: set[str] = set()
        self._stream_resources: dict[str, str] = {}  # uid -> data key

    @property
    def num_events(self) -> Mapping[str, int]:
        """Events seen so far in the current run, per stream name."""
        return self._events

    def __call__(self, name: str, doc: Mapping[str, Any]) -> None:
        """Check one document against what came before; raise ``DocumentValidationError``."""
        if name not in self._handlers:
            raise DocumentValidationError(repr(name), "unknown document kind")
        plain = validate(name, doc) if self._validate_each else dict(doc)
        self._kind = name
        if name != "start":
            self._require_open_run(name)
        self._handlers[name](plain)

    def check_all(self, documents: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        """Check every ``(name, doc)`` pair in order."""
        for name, doc in documents:
            self(name, doc)

    def _require_open_run(self, name: str) -> None:
        if self._start_uid is None:
            self._fail(f"no start document has come yet; a run must open with one (got {name!r})")
        if self._stopped:
            self._fail(f"run {self._start_uid} has stopped; no {name} may follow its stop")

    def _fail(self, problem: str) -> NoReturn:
        raise DocumentValidationError(self._kind, problem)

    def _start(self, doc: dict[str, Any]) -> None:
        if self._start_uid is not None and not self._stopped:
            self._fail(f"run {self._start_uid} has not stopped; a new start cannot begin yet")
        self._reset(doc["uid"])

    def _belongs_to_run(self, doc: dict[str, Any], field: str = "run_start") -> None:
        if field in doc and doc[field] != self._start_uid:
            self._fail(f"{field} is {doc[field]!r}, but the run's start uid is {self._start_uid!r}")

    def _descriptor(self, doc: dict[str, Any]) -> None:
        self._belongs_to_run(doc)
        if doc["uid"] in self._stream_of:
            self._fail(f"descriptor uid {doc['uid']!r} was already used")
        name = doc.get("name", "")
        self._stream_of[doc["uid"]] = name
        self._events.setdefault(name, 0)
        keys = doc["data_keys"]
        self._stream_keys[doc["uid"]] = frozenset(
            k for k, v in keys.items() if v.get("external") == "STREAM:"
        )

    def _stream_name(self, descriptor: str) -> str:
        name = self._stream_of.get(descriptor)
        if name is None:
            self._fail(f"descriptor {descriptor!r} is unknown: no descriptor with that uid came")
        return name

    def _expect_seq_nums(self, descriptor: str, seq_nums: list[int]) -> None:
        stream = self._stream_name(descriptor)
        first = self._events[stream] + 1
        expected = list(range(first, first + len(seq_nums)))
        if list(seq_nums) != expected:
            self._fail(
                f"seq_num {list(seq_nums)} in stream {stream!r} should be {expected}: "
                "seq_num counts from 1 with no gaps or repeats"
            )
        self._events[stream] = first + len(seq_nums) - 1

    def _event(self, doc: dict[str, Any]) -> None:
        self._expect_seq_nums(doc["descriptor"], [doc["seq_num"]])

    def _event_page(self, doc: dict[str, Any]) -> None:
        self._expect_seq_nums(doc["descriptor"], list(doc["seq_num"]))

    def _resource(self, doc: dict[str, Any]) -> None:
        self._belongs_to_run(doc)
        self._resources.add(doc["uid"])

    def _datum(self, doc: dict[str, Any]) -> None:
        if doc["resource"] not in self._resources:
            self._fail(f"resource {doc['resource']!r} is unknown: no resource with that uid came")

    def _stream_resource(self, doc: dict[str, Any]) -> None:
        self._belongs_to_run(doc)
        if doc["uid"] in self._stream_resources:
            self._fail(f"stream resource uid {doc['uid']!r} was already used")
        self._stream_resources[doc["uid"]] = doc["data_key"]

    def _stream_datum(self, doc: dict[str, Any]) -> None:
        data_key = self._stream_resources.get(doc["stream_resource"])
        if data_key is None:
            self._fail(f"stream resource {doc['stream_resource']!r} is unknown")
        stream = self._stream_name(doc["descriptor"])
        if data_key not in self._stream_keys[doc["descriptor"]]:
            self._fail(f"data key {data_key!r} is not a STREAM: data key of stream {stream!r}")
        for field in ("indices", "seq_nums"):
            bounds = doc[field]
            if not 0 <= bounds["start"] <= bounds["stop"]:
                self._fail(f"{field} {bounds} must have 0 <= start <= stop")
        last = doc["seq_nums"]["stop"] - 1
        self._rows[stream] = max(self._rows.get(stream, 0), last)

    def _stop(self, doc: dict[str, Any]) -> None:
        self._belongs_to_run(doc)
        claimed = doc.get("num_events", {})
        seen = {k: max(n, self._rows.get(k, 0)) for k, n in {**self._rows, **self._events}.items()}
        wrong = {k: (v, seen.get(k, 0)) for k, v in claimed.items() if v != seen.get(k, 0)}
        if wrong:
            counts = ", ".join(f"{k!r}: says {said}, saw {saw}" for k, (said, saw) in wrong.items())
            self._fail(f"num_events disagrees with the events that came ({counts})")
        self._stopped = True
