"""One named stream of a run (``run["primary"]``): its descriptors, data keys and data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skyscope.documents import DataKey

from . import _json
from ._dataset import ArrayLike, have_xarray, to_dict, to_xarray
from ._errors import CatalogError, NotFoundError
from ._frames import StreamFrames
from ._store import Store
from ._table import DatumRow, EventRow, StreamTable, build_table

if TYPE_CHECKING:
    import xarray


class Stream:
    """A stream of a stored run; every access reads the catalog afresh, so a live run grows."""

    def __init__(self, store: Store, run_uid: str, name: str) -> None:
        """The stream ``name`` of the run ``run_uid``."""
        self._store = store
        self.run_uid = run_uid
        self.name = name

    def __repr__(self) -> str:
        """Name and run."""
        return f"<Stream {self.name!r} of run {self.run_uid[:8]}>"

    @property
    def descriptors(self) -> list[dict[str, Any]]:
        """The stream's event descriptors, oldest first."""
        rows = self._store.query(
            "SELECT doc FROM descriptors WHERE run_uid = ? AND name = ? "
            "ORDER BY time, ingest_order",
            (self.run_uid, self.name),
        )
        return [_json.loads(doc) for (doc,) in rows]

    @property
    def data_keys(self) -> dict[str, DataKey]:
        """Every data key of the stream (a later descriptor's description wins)."""
        merged: dict[str, DataKey] = {}
        for descriptor in self.descriptors:
            merged.update(descriptor.get("data_keys") or {})
        return merged

    def __len__(self) -> int:
        """How many complete rows (events) can be read now."""
        return len(self._table()[1].seq_num)

    def read(self, *, as_xarray: bool | None = None) -> xarray.Dataset | dict[str, ArrayLike]:
        """The stream's data: an xarray Dataset (frames lazy), or a dict of arrays.

        ``as_xarray=None`` gives a Dataset when xarray is installed; ``False`` always the dict;
        ``True`` insists on xarray.
        """
        data_keys, table = self._table()
        use_xarray = have_xarray() if as_xarray is None else as_xarray
        if not use_xarray:
            return to_dict(table)
        if not have_xarray():
            raise CatalogError("read(as_xarray=True) needs xarray: pip install 'skyscope[xarray]'")
        return to_xarray(table, data_keys, {"stream": self.name, "run_uid": self.run_uid})

    def frames(self, key: str) -> StreamFrames:
        """The lazy frames of the external data key ``key`` (nothing read until indexed)."""
        _, table = self._table()
        if key not in table.frames:
            external = ", ".join(table.frames) or "none"
            raise NotFoundError(
                f"stream {self.name!r} has no external data key {key!r}; it has: {external}"
            )
        return table.frames[key]

    def _table(self) -> tuple[dict[str, DataKey], StreamTable]:
        """Read the stream's events and stream datums and assemble its rows."""
        descriptors = self.descriptors
        if not descriptors:
            raise NotFoundError(f"run {self.run_uid[:8]} has no stream {self.name!r}")
        data_keys: dict[str, DataKey] = {}
        for descriptor in descriptors:
            data_keys.update(descriptor.get("data_keys") or {})
        uids = [d["uid"] for d in descriptors]
        marks = ", ".join("?" * len(uids))
        events: list[EventRow] = [
            (int(s), float(t), str(d))
            for s, t, d in self._store.query(
                f"SELECT seq_num, time, data FROM events WHERE descriptor_uid IN ({marks}) "
                "ORDER BY seq_num",
                uids,
            )
        ]
        datums: list[DatumRow] = [
            (int(a), int(b), int(c), str(u), str(k), str(m), str(uri), str(p))
            for a, b, c, u, k, m, uri, p in self._store.query(
                "SELECT d.seq_start, d.seq_stop, d.index_start, r.uid, r.data_key, r.mimetype, "
                "r.uri, r.parameters FROM stream_datums d "
                "JOIN stream_resources r ON r.uid = d.stream_resource "
                f"WHERE d.descriptor_uid IN ({marks}) ORDER BY d.seq_start",
                uids,
            )
        ]
        return data_keys, build_table(data_keys, events, datums)
