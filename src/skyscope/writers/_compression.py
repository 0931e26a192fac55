"""Compression choices for frame files, resolved to each format's standard filters."""

from __future__ import annotations

import importlib
from typing import Any, Literal, get_args

Compression = Literal["lz4", "zstd", "gzip"]
"""A lossless compressor: lz4 and zstd (through hdf5plugin / numcodecs) or gzip (built in)."""

COMPRESSIONS: tuple[Compression, ...] = get_args(Compression)
"""Every supported compressor name."""

_DEFAULT_LEVELS: dict[Compression, int] = {"lz4": 0, "zstd": 3, "gzip": 4}


def checked_compression(compression: str | None) -> Compression | None:
    """Return ``compression`` if skyscope knows it, else raise a ValueError naming the choices."""
    if compression is None:
        return None
    for name in COMPRESSIONS:
        if compression == name:
            return name
    raise ValueError(f"unknown compression {compression!r}: choose one of {COMPRESSIONS} or None")


def hdf5_filter_options(compression: Compression | None, level: int | None) -> dict[str, Any]:
    """Return h5py ``create_dataset`` keywords for ``compression`` (none for no compression).

    gzip is built into HDF5; lz4 and zstd come from the ``hdf5plugin`` filter library, an
    optional dependency: without it, asking for them is a clear error before any file exists.
    """
    if compression is None:
        return {}
    chosen = _DEFAULT_LEVELS[compression] if level is None else level
    if compression == "gzip":
        return {"compression": "gzip", "compression_opts": chosen}
    hdf5plugin = _import_optional("hdf5plugin", compression)
    if compression == "zstd":
        return dict(hdf5plugin.Zstd(clevel=chosen))
    return dict(hdf5plugin.LZ4())


def _import_optional(module: str, compression: str) -> Any:
    """Import an optional filter library, explaining how to get it when it is missing."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ValueError(
            f"compression {compression!r} needs the {module} package "
            f"(pip install 'skyscope[compression]'); gzip works without it"
        ) from exc
