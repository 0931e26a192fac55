"""Run metadata: the engine's persistent ``md``, scan ids, versions, and the start document.

``engine.md`` outlives the process (a JSON file under the data directory by default), so a
beamline's or a microscope's standing metadata — operator, instrument, next scan id — is there
again after a restart, the way bluesky users keep it with a ``PersistentDict``.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import copy
import functools
import importlib.metadata
import json
import logging
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from .._version import __version__
from ..documents import describe_unstorable

logger = logging.getLogger(__name__)

MetadataValidator = Callable[[Mapping[str, Any]], None]
"""Called with a run's full metadata before its start document; raises to refuse the run."""

# Device and control-system packages whose versions go into every start document when loaded.
_DEVICE_PACKAGES = {
    "ophyd": "ophyd",
    "ophyd_async": "ophyd-async",
    "bluesky": "bluesky",
    "aioca": "aioca",
    "caproto": "caproto",
    "pymmcore_plus": "pymmcore-plus",
    "h5py": "h5py",
    "numpy": "numpy",
    "event_model": "event-model",
}


class PersistentDict(MutableMapping[str, Any]):
    """A dict saved as JSON to ``path`` on every change (atomically, so a crash keeps the old).

    A change is encoded at once (a consistent snapshot) and written by one shared worker
    thread, never on the caller's thread: the engine changes ``scan_id`` on the event loop at
    every run (there the write is handed over once the loop's current step is done).
    Opening the same path again, ``flush()`` and the interpreter's exit wait for the
    pending write; a write that failed is logged and raised by the next ``flush()``.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._data: dict[str, Any] = _load(self.path)
        self._latest: tuple[int, str] | None = None  # (version, text) to write next
        self._written = 0
        self._saving: concurrent.futures.Future[None] | None = None
        self.error: OSError | None = None
        """The last write that failed (the next successful one clears it)."""

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        json.dumps(value)  # refuse what cannot be saved before anything changes
        self._data[key] = value
        self._save()

    def __delitem__(self, key: str) -> None:
        del self._data[key]
        self._save()

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"PersistentDict({str(self.path)!r}, {self._data!r})"

    def flush(self, timeout: float | None = None) -> None:
        """Wait until every change is on disk; raise the ``OSError`` of a failed write."""
        if self._latest is not None:
            self._hand_over()
        if self._saving is not None:
            self._saving.result(timeout)
        if self.error is not None:
            raise self.error

    def _save(self) -> None:
        version = self._latest[0] + 1 if self._latest is not None else 1
        self._latest = (version, json.dumps(self._data, indent=1, sort_keys=True))
        _PENDING[self.path] = self
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._hand_over()
        else:  # waking the writer costs the loop its turn: after the step (a start document)
            loop.call_soon(self._hand_over)

    def _hand_over(self) -> None:
        try:
            self._saving = _writer().submit(self._write_latest)
        except RuntimeError:  # the interpreter is exiting: its threads take no more work
            self._write_latest()

    def _write_latest(self) -> None:
        """On the writer thread: write the newest text (changes made meanwhile go together)."""
        latest = self._latest
        if latest is None or latest[0] <= self._written:
            return
        try:
            _write_atomically(self.path, latest[1])
            self.error = None
        except OSError as error:
            logger.error("cannot save the persistent metadata to %s: %s", self.path, error)
            self.error = error
        self._written = latest[0]


_PENDING: dict[Path, PersistentDict] = {}
"""The last dict changed at each path, so a new ``PersistentDict`` there waits for its write."""


@atexit.register
def _write_pending() -> None:
    """At exit, write what a loop that stopped never handed over."""
    for pending in list(_PENDING.values()):
        with contextlib.suppress(OSError):
            pending.flush()


@functools.cache
def _writer() -> concurrent.futures.ThreadPoolExecutor:
    """The one thread writing every ``PersistentDict`` (started at the first change)."""
    return concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="skyscope-md-writer")


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".md-", suffix=".json")
    with os.fdopen(fd, "w") as file:
        file.write(text)
    os.replace(tmp, path)


def _load(path: Path) -> dict[str, Any]:
    pending = _PENDING.get(path)
    if pending is not None:
        pending.flush()  # this process's last change to the file is written first
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"persistent metadata file {path} is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ValueError(f"persistent metadata file {path} must hold a JSON object")
    return data


def versions() -> dict[str, str]:
    """Return skyscope's version and those of the loaded device/control-system packages."""
    return dict(_versions_of(tuple(m for m in _DEVICE_PACKAGES if m in sys.modules)))


@functools.cache
def _versions_of(modules: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Look the versions up once per set of loaded packages (a lookup costs ~1 ms)."""
    found = [("skyscope", __version__)]
    for module in modules:
        try:
            found.append((module, importlib.metadata.version(_DEVICE_PACKAGES[module])))
        except importlib.metadata.PackageNotFoundError:
            continue
    return tuple(found)


def check_keys(md: Mapping[str, Any], what: str = "metadata") -> None:
    """Refuse metadata a start document cannot carry, before the run starts.

    Values must be storable by every document store (``describe_unstorable`` names the first
    that is not: a datetime, a set, bytes, a Path… and says what to pass instead), and start
    keys must not contain ``.`` or ``/`` (event-model refuses them). ``what`` names the
    metadata's source in the message.
    """
    problem = describe_unstorable(md, what)
    if problem is not None:
        raise ValueError(problem)
    bad = sorted(k for k in md if "." in k or "/" in k)
    if bad:
        raise ValueError(f"{what} keys must not contain '.' or '/': {bad}")


def next_scan_id(md: Mapping[str, Any]) -> int:
    """The default ``scan_id_source``: one more than ``md['scan_id']`` (1 for the first run)."""
    return int(md.get("scan_id", 0)) + 1


ScanIdSource = Callable[[Mapping[str, Any]], int | Awaitable[int]]
"""Gives the next run's scan id from the engine's persistent metadata (sync or async)."""

MetadataNormalizer = Callable[[dict[str, Any]], Mapping[str, Any]]
"""Returns the start metadata in its final form (a copy; the caller's dicts stay untouched)."""


def start_metadata(
    persistent: MutableMapping[str, Any],
    plan_md: Mapping[str, Any],
    call_md: Mapping[str, Any],
    validator: MetadataValidator | None,
    normalizer: MetadataNormalizer | None = None,
) -> dict[str, Any]:
    """Merge persistent < plan < call metadata, add versions, validate, then normalize.

    The scan id is the persistent one (which ``open_run`` advances first) unless the call
    gives its own.
    """
    check_keys(plan_md, "plan metadata")
    md = {**persistent, **plan_md, **call_md}
    md.setdefault("versions", {})
    md["versions"] = {**versions(), **md["versions"]}
    check_keys(md)
    if validator is not None:
        validator(md)
    if normalizer is not None:
        md = dict(normalizer(copy.deepcopy(md)))
    md["scan_id"] = call_md["scan_id"] if "scan_id" in call_md else persistent.get("scan_id", 1)
    return md
