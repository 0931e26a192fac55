"""skyscope.broker: an indexed catalog of runs; the user never sees files, just data.

The catalog lives in an SQLite file (the default) or a PostgreSQL database, with one API.
"""

from ._bus_errors import BusError, BusPublishError
from ._bus_ingest import BusIngest, IngestCounts
from ._bus_publisher import BusPublisher
from ._catalog import Catalog
from ._catalog_feed import CatalogFeed
from ._errors import (
    AmbiguousUID,
    CatalogDamaged,
    CatalogError,
    CatalogWriteError,
    DocumentError,
    NotFoundError,
    QueryError,
    ReaderError,
    RunNotFound,
)
from ._export import export_formats
from ._frames import StreamFrames
from ._health import Health
from ._journal import JournalContents, read_journal
from ._key_queries import Comparison, Contains, In, Key, Regex
from ._query import And, Not, Or, Query
from ._readers import FrameSource, Reader, path_from_uri, register_reader
from ._recovery import Recovery
from ._run import Run
from ._run_queries import FullText, PartialUID, ScanID, TimeRange
from ._stream import Stream

__all__ = [
    # the catalog and what it holds
    "Catalog",
    "CatalogFeed",
    "Run",
    "Stream",
    "StreamFrames",
    # durability: journals, recovery, health
    "Recovery",
    "Health",
    "JournalContents",
    "read_journal",
    # queries
    "Query",
    "Key",
    "Comparison",
    "In",
    "Contains",
    "Regex",
    "FullText",
    "TimeRange",
    "ScanID",
    "PartialUID",
    "And",
    "Or",
    "Not",
    # the document bus (NATS JetStream; needs skyscope[bus])
    "BusPublisher",
    "BusIngest",
    "IngestCounts",
    # reading external data
    "FrameSource",
    "Reader",
    "register_reader",
    "path_from_uri",
    # export
    "export_formats",
    # errors
    "CatalogError",
    "CatalogWriteError",
    "CatalogDamaged",
    "QueryError",
    "NotFoundError",
    "RunNotFound",
    "AmbiguousUID",
    "ReaderError",
    "DocumentError",
    "BusError",
    "BusPublishError",
]
