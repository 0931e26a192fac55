"""skyscope.documents: the event-model documents as typed, validated plain dicts."""

from ._asset_composers import ResourceComposer, StreamResourceComposer
from ._asset_types import (
    Datum,
    DatumPage,
    PathSemantics,
    Resource,
    StreamAsset,
    StreamDatum,
    StreamRange,
    StreamResource,
)
from ._data_key import DataKey, Dtype, Limits, LimitsRange, Reading, ReadingDict
from ._descriptor_types import Configuration, EventDescriptor, PerObjectHint
from ._errors import DocumentValidationError
from ._event_types import Event, EventPage
from ._names import DOCUMENT_NAMES, DocumentName
from ._pages import pack_datum_page, pack_event_page, unpack_datum_page, unpack_event_page
from ._router import DocumentRouter
from ._run_checker import RunChecker
from ._run_composer import RunComposer
from ._run_types import (
    CalculatedEventProjection,
    Calculation,
    ConfigurationProjection,
    ExitStatus,
    LinkedEventProjection,
    Projection,
    Projections,
    RunStart,
    RunStop,
    StartHints,
    StaticProjection,
)
from ._serialize import (
    NDARRAY_EXT_CODE,
    dumps_named,
    from_json,
    from_msgpack,
    loads_named,
    to_json,
    to_msgpack,
)
from ._storable import describe_unstorable, find_unstorable
from ._stream import StreamComposer
from ._uid import new_uid
from ._validate import validate

__all__ = [
    # the documents
    "RunStart",
    "RunStop",
    "EventDescriptor",
    "Event",
    "EventPage",
    "Resource",
    "Datum",
    "DatumPage",
    "StreamResource",
    "StreamDatum",
    "StreamAsset",
    # their parts
    "DataKey",
    "Dtype",
    "Limits",
    "LimitsRange",
    "Reading",
    "ReadingDict",
    "Configuration",
    "PerObjectHint",
    "StartHints",
    "Projections",
    "Projection",
    "Calculation",
    "CalculatedEventProjection",
    "ConfigurationProjection",
    "LinkedEventProjection",
    "StaticProjection",
    "StreamRange",
    "ExitStatus",
    "PathSemantics",
    "DocumentName",
    "DOCUMENT_NAMES",
    # composing and checking
    "RunComposer",
    "StreamComposer",
    "ResourceComposer",
    "StreamResourceComposer",
    "validate",
    "find_unstorable",
    "describe_unstorable",
    "DocumentValidationError",
    "RunChecker",
    "new_uid",
    # pages and routing
    "pack_event_page",
    "unpack_event_page",
    "pack_datum_page",
    "unpack_datum_page",
    "DocumentRouter",
    # serialization
    "to_json",
    "from_json",
    "dumps_named",
    "loads_named",
    "to_msgpack",
    "from_msgpack",
    "NDARRAY_EXT_CODE",
]
