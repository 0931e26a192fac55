"""Which run a document belongs to: an event names only its descriptor, a datum its resource.

The catalog's live door (to pick the run's journal) and its ingester (to fill ``run_uid``
columns) both ask; parents seen in this session are remembered, older ones looked up in the
stored tables through ``lookup``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._errors import DocumentError

Lookup = Callable[[str, str], str | None]
"""``lookup(table, uid)``: the stored run uid of a row of ``table``, or None."""


class Lineage:
    """Remembered parents of this session's documents, and the runs still being written."""

    def __init__(self, lookup: Lookup) -> None:
        """Fall back on ``lookup`` for parents stored before this session."""
        self._lookup = lookup
        self._runs: set[str] = set()
        self._descriptors: dict[str, str] = {}
        self._resources: dict[str, str] = {}
        self.open_runs: set[str] = set()

    def run_of(self, name: str, doc: Mapping[str, Any]) -> str:
        """The uid of the run ``doc`` (a ``name`` document) belongs to, remembering new parents."""
        if name == "start":
            self._runs.add(doc["uid"])
            self.open_runs.add(doc["uid"])
            return str(doc["uid"])
        run_uid = self._find(name, doc)
        if name == "descriptor":
            self._descriptors[doc["uid"]] = run_uid
        elif name in ("stream_resource", "resource"):
            self._resources[doc["uid"]] = run_uid
        elif name == "stop":
            self.open_runs.discard(run_uid)
        return run_uid

    def _find(self, name: str, doc: Mapping[str, Any]) -> str:
        if name in ("stop", "descriptor"):
            return self._run(doc["run_start"], name, doc["uid"])
        if name in ("event", "event_page"):
            return self._parent(self._descriptors, "descriptors", doc["descriptor"], name, doc)
        if name in ("stream_resource", "resource"):
            return self._resource_run(name, doc)
        if name == "stream_datum":
            resource = doc["stream_resource"]
            return self._parent(self._resources, "stream_resources", resource, name, doc)
        if name in ("datum", "datum_page"):
            resource = doc["resource"]
            return self._parent(self._resources, "other_documents", resource, name, doc)
        raise DocumentError(f"unknown document name {name!r}")

    def _run(self, run_uid: str, name: str, uid: str) -> str:
        """``run_uid`` if its start has been seen here or is stored, else a clear error."""
        if run_uid in self._runs or self._lookup("runs", run_uid) is not None:
            self._runs.add(run_uid)
            return run_uid
        raise unknown_parent(name, uid, "run start", run_uid)

    def _resource_run(self, name: str, doc: Mapping[str, Any]) -> str:
        """A (stream) resource's run: its run_start, or the only run being written."""
        run_start: Any = doc.get("run_start")
        if not run_start and len(self.open_runs) == 1:
            run_start = next(iter(self.open_runs))
        if not run_start:
            raise DocumentError(f"{name} {doc['uid']!r} has no run_start and no run is open")
        return self._run(run_start, name, doc["uid"])

    def _parent(
        self, cache: dict[str, str], table: str, uid: str, name: str, doc: Mapping[str, Any]
    ) -> str:
        run_uid = cache.get(uid)
        if run_uid is None:
            run_uid = self._lookup(table, uid)
            if run_uid is None:
                parent = {"descriptors": "descriptor"}.get(table, "resource")
                own = doc.get("uid", doc.get("datum_id", ""))
                raise unknown_parent(name, str(own), parent, uid)
            cache[uid] = run_uid
        return run_uid


def unknown_parent(name: str, uid: str, parent: str, parent_uid: str) -> DocumentError:
    """The error for a document whose parent the catalog has never seen."""
    return DocumentError(
        f"{name} {uid!r} refers to {parent} {parent_uid!r}, which the catalog has not seen; "
        f"ingest the {parent} first"
    )
