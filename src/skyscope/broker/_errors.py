"""The broker's errors: each names what was asked for and why it cannot be given."""

from __future__ import annotations


class CatalogError(Exception):
    """Base class of every error the catalog raises."""


class QueryError(CatalogError, ValueError):
    """A query that cannot be run: unknown operator, bad value, regex or full-text syntax."""


class NotFoundError(CatalogError, KeyError):
    """Something asked for by name (a run, a stream, a data key) is not in the catalog."""

    def __str__(self) -> str:
        """Show the message as written (``KeyError`` would quote it)."""
        return str(self.args[0]) if self.args else "not found"


class RunNotFound(NotFoundError):
    """No run in the catalog matches the uid, partial uid, scan id or index asked for."""


class AmbiguousUID(RunNotFound):
    """A partial uid matches more than one run."""


class ReaderError(CatalogError):
    """External data cannot be read: no reader for its mimetype, or its file is missing."""


class DocumentError(CatalogError, ValueError):
    """A document the catalog cannot ingest (unknown name, missing uid, unknown parent)."""


class CatalogWriteError(CatalogError):
    """The catalog could not (yet) store what a run sent it; the message says what is kept."""


class CatalogDamaged(CatalogError):
    """The catalog file is not a readable SQLite catalog (corrupt, truncated, or not one)."""
