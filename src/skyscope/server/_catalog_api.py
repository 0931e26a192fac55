"""skyscope's catalog routes: search runs by metadata, read a run, its streams and its frames.

Every catalog call reads SQLite (and frames read files), so each runs on a worker thread; the
event loop only awaits. Frames come as PNG (auto-contrast, 16 -> 8 bit; ``min``/``max`` fix
the limits, ``size`` makes a thumbnail), TIFF or numpy ``.npy``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from skyscope.broker import (
    AmbiguousUID,
    Catalog,
    FullText,
    Key,
    NotFoundError,
    Query,
    QueryError,
    Run,
    RunNotFound,
)

from ._frame_formats import FORMATS, FrameFormatError, encode
from ._gate import Gate, ScopedRoute, bad_request, not_found
from ._openapi import Described, error, json_response, path_param, query_param

CATALOG_SCOPE = "read:history"
SEARCH = "/api/catalog/search"
RUN = "/api/catalog/runs/{uid}"
STREAM = "/api/catalog/runs/{uid}/streams/{stream}"
FRAME = "/api/catalog/runs/{uid}/streams/{stream}/frames/{key}/{index}"
MAX_RUNS = 500
_SMALL = 100_000
"""Stream columns with more values than this are not sent inline (read their frames instead)."""


class _Refused(Exception):
    """A request the catalog answers with an HTTP error."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _value(text: str) -> Any:
    """A query value: JSON when it parses (numbers, true, null), else the string itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def metadata_query(params: Mapping[str, str]) -> list[Query]:
    """The queries a search's parameters ask for: ``text`` (full text), ``meta.<key>=<value>``."""
    queries: list[Query] = []
    for name, raw in params.items():
        if name == "text":
            if raw.strip():
                queries.append(FullText(raw))
        elif name.startswith("meta."):
            queries.append(Key(name[len("meta.") :]) == _value(raw))
        elif name not in ("limit", "offset"):
            raise QueryError(
                f"unknown search parameter {name!r} (use text=, meta.<key>=, limit=, offset=)"
            )
    return queries


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.lstrip("-").isdigit() or not low <= int(raw) <= high:
        raise _Refused(bad_request(f"{name!r} must be a whole number from {low} to {high}"))
    return int(raw)


def run_summary(run: Run) -> dict[str, Any]:
    """What a run list shows of a run, and the data keys a thumbnail can be made from."""
    start = run.start
    images: dict[str, list[str]] = {}
    for descriptor in run.descriptors:
        for key, data_key in (descriptor.get("data_keys") or {}).items():
            if data_key.get("external") or len(data_key.get("shape") or []) >= 2:
                images.setdefault(descriptor.get("name", "primary"), []).append(key)
    return {
        "uid": run.uid,
        "scan_id": start.get("scan_id"),
        "plan_name": start.get("plan_name"),
        "time": start.get("time"),
        "status": run.status,
        "num_events": run.num_events,
        "images": images,
    }


def _search(catalog: Catalog, params: Mapping[str, str]) -> dict[str, Any]:
    limit = _int(params, "limit", 50, 1, MAX_RUNS)
    offset = _int(params, "offset", 0, 0, 10**9)
    view = catalog
    for query in metadata_query(params):
        view = view.search(query)
    runs = list(itertools.islice(view, offset, offset + limit))
    return {"runs": [run_summary(run) for run in runs], "count": len(view)}


def _run(catalog: Catalog, uid: str) -> dict[str, Any]:
    run = catalog[uid]
    streams = {}
    for name in run.stream_names:
        stream = run[name]
        streams[name] = {"data_keys": stream.data_keys, "length": len(stream)}
    return {**run_summary(run), **run.metadata, "streams": streams}


def _stream(catalog: Catalog, uid: str, name: str) -> dict[str, Any]:
    data = catalog[uid][name].read(as_xarray=False)
    assert isinstance(data, dict)
    columns: dict[str, Any] = {}
    frames: dict[str, dict[str, Any]] = {}
    for key, values in data.items():
        if isinstance(values, np.ndarray) and values.ndim == 1 and values.size <= _SMALL:
            columns[key] = values.tolist()
        else:
            first = np.shape(values[0]) if len(values) else ()
            frames[key] = {"length": len(values), "shape": list(first)}
    return {"uid": uid, "stream": name, "data": columns, "frames": frames}


def _frame_bytes(catalog: Catalog, path: Mapping[str, str], params: Mapping[str, str]) -> Response:
    fmt = params.get("format", "png")
    if fmt not in FORMATS:
        raise _Refused(bad_request(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})"))
    index = path["index"]
    if not index.lstrip("-").isdigit():
        raise _Refused(bad_request(f"the frame index must be a whole number, not {index!r}"))
    data = catalog[path["uid"]][path["stream"]].read(as_xarray=False)
    assert isinstance(data, dict)
    if path["key"] not in data:
        raise NotFoundError(f"stream {path['stream']!r} has no data key {path['key']!r}")
    values = data[path["key"]]
    if not -len(values) <= int(index) < len(values):
        raise NotFoundError(f"{path['key']!r} has {len(values)} frames, no frame {index}")
    frame = np.asarray(values[int(index)])
    size = _int(params, "size", 0, 0, 4096) or None
    return Response(encode(frame, fmt, size=size), media_type=FORMATS[fmt])


async def _answer(work: Callable[[], Any]) -> Response:
    """Run ``work`` on a thread; its errors as 404 (not found) or 400 (bad request)."""
    try:
        answer = await asyncio.to_thread(work)
    except _Refused as refused:
        return refused.response
    except (RunNotFound, NotFoundError) as error:
        return not_found(str(error))
    except (QueryError, AmbiguousUID, FrameFormatError, TypeError) as error:
        return bad_request(str(error))
    if isinstance(answer, Response):
        return answer
    return JSONResponse(json.loads(json.dumps(answer, default=_jsonable)))


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    return repr(value)


def catalog_routes(gate: Gate, catalog: Catalog | None) -> list[ScopedRoute]:
    """The catalog routes, behind ``read:history`` (503 when the server has no catalog)."""

    def handler(work: Callable[[Catalog, Request], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            principal = gate.check(request, CATALOG_SCOPE)
            if isinstance(principal, Response):
                return principal
            if catalog is None:
                return JSONResponse({"detail": "this server has no catalog"}, status_code=503)
            return await _answer(lambda: work(catalog, request))

        return endpoint

    table: list[tuple[str, Callable[[Catalog, Request], Any]]] = [
        (SEARCH, lambda c, r: _search(c, r.query_params)),
        (RUN, lambda c, r: _run(c, r.path_params["uid"])),
        (STREAM, lambda c, r: _stream(c, r.path_params["uid"], r.path_params["stream"])),
        (FRAME, lambda c, r: _frame_bytes(c, r.path_params, r.query_params)),
    ]
    return [
        ScopedRoute(Route(path, handler(work), methods=["GET"]), "GET", path, CATALOG_SCOPE)
        for path, work in table
    ]


_RUN_SUMMARY = {
    "type": "object",
    "properties": {
        "uid": {"type": "string"},
        "scan_id": {"type": ["integer", "null"]},
        "plan_name": {"type": ["string", "null"]},
        "time": {"type": ["number", "null"]},
        "status": {"type": "string", "description": "complete, acquiring, interrupted..."},
        "num_events": {"type": "object", "additionalProperties": {"type": "integer"}},
        "images": {
            "type": "object",
            "description": "stream -> data keys holding images (for thumbnails)",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["uid", "status"],
}
_UID = path_param("uid", {"type": "string"}, "The run's uid, or enough of its start to be unique")
_STREAM = path_param("stream", {"type": "string"}, "The stream's name (primary, baseline...)")
_REFUSED = {
    "400": error("A malformed parameter, or an ambiguous partial uid"),
    "503": error("The server has no catalog"),
}
_NOT_FOUND = {**_REFUSED, "404": error("No such run, stream, data key or frame")}

CATALOG_DESCRIPTIONS = (
    Described(
        "GET",
        SEARCH,
        CATALOG_SCOPE,
        "Search the catalog's runs, newest first. Besides `text`, any `meta.<key>=<value>` "
        "parameter keeps the runs whose start has that value (JSON when it parses).",
        {
            "200": json_response(
                {
                    "type": "object",
                    "properties": {
                        "runs": {"type": "array", "items": _RUN_SUMMARY},
                        "count": {"type": "integer", "description": "runs matching in all"},
                    },
                    "required": ["runs", "count"],
                },
                "The runs found (one page), and how many match",
            ),
            **_REFUSED,
        },
        (
            query_param("text", {"type": "string"}, "Full-text search of the runs' metadata"),
            query_param(
                "limit", {"type": "integer", "minimum": 1, "maximum": MAX_RUNS}, "Page size"
            ),
            query_param("offset", {"type": "integer", "minimum": 0}, "Runs to skip"),
        ),
    ),
    Described(
        "GET",
        RUN,
        CATALOG_SCOPE,
        "A run's metadata: its summary, start and stop documents, and its streams.",
        {
            "200": json_response(
                {
                    "allOf": [_RUN_SUMMARY],
                    "properties": {
                        "start": {"type": "object"},
                        "stop": {"type": ["object", "null"]},
                        "streams": {"type": "object"},
                    },
                },
                "The run",
            ),
            **_NOT_FOUND,
        },
        (_UID,),
    ),
    Described(
        "GET",
        STREAM,
        CATALOG_SCOPE,
        "A stream's data: scalar columns inline; image columns by length and shape.",
        {
            "200": json_response(
                {
                    "type": "object",
                    "properties": {
                        "uid": {"type": "string"},
                        "stream": {"type": "string"},
                        "data": {"type": "object", "additionalProperties": {"type": "array"}},
                        "frames": {"type": "object"},
                    },
                    "required": ["uid", "stream", "data", "frames"],
                },
                "The stream's columns",
            ),
            **_NOT_FOUND,
        },
        (_UID, _STREAM),
    ),
    Described(
        "GET",
        FRAME,
        CATALOG_SCOPE,
        "One frame of an image column, as PNG (auto-contrast, 8-bit), TIFF, NumPy .npy, "
        "JPEG or WebP.",
        {
            "200": {
                "description": "The frame's bytes",
                "content": {
                    media: {"schema": {"type": "string", "format": "binary"}}
                    for media in dict.fromkeys(FORMATS.values())
                },
            },
            **_NOT_FOUND,
        },
        (
            _UID,
            _STREAM,
            path_param("key", {"type": "string"}, "The data key"),
            path_param("index", {"type": "integer"}, "The frame's index (negative from the end)"),
            query_param("format", {"enum": list(FORMATS)}, "The encoding (default png)"),
            query_param(
                "size", {"type": "integer", "minimum": 0, "maximum": 4096}, "Thumbnail side"
            ),
        ),
    ),
)
"""The catalog routes as ``/openapi.json`` tells them."""
