"""Turn one run's create/read/save messages (and monitors) into event-model documents.

One ``RunBundler`` per open run. It caches each device's ``describe()`` the first time the
device is read in the run, makes a descriptor the first time a stream is saved, and from then
on builds one event per ``save`` through the documents' composer — the engine's hot path.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..documents import DataKey, RunComposer, StreamComposer, validate
from ._awaiting import maybe_await
from ._collect_keys import collect_stream
from ._describing import as_described, configuration, hints_of
from ._errors import DataKeyCollision, IllegalMessageSequence

Emit = Callable[[str, Any], Awaitable[None]]
Push = Callable[[str, Any], None]
Offer = Callable[[str, Any], bool]
"""Buffers a document now if every subscriber has room (True), else nothing (False)."""


class _Bundle:
    """The readings of one event between ``create`` and ``save`` (one per point: kept lean)."""

    __slots__ = ("assets", "name", "readings")

    def __init__(self, name: str) -> None:
        self.name = name
        self.readings: dict[Any, Mapping[str, Any]] = {}
        self.assets: list[tuple[str, dict[str, Any]]] = []


@dataclass
class _Stream:
    composer: StreamComposer
    objs: tuple[Any, ...]
    event_keys: frozenset[str]
    obj_set: frozenset[Any] = field(init=False)
    """``objs`` as a set: an event must read exactly these (one comparison per save)."""

    def __post_init__(self) -> None:
        self.obj_set = frozenset(self.objs)


class RunBundler:
    """Compose the documents of one run and hand them to the engine's emitter."""

    def __init__(self, metadata: Mapping[str, Any], emit: Emit, push: Push, offer: Offer) -> None:
        self.run = RunComposer(metadata)
        self._emit = emit
        self._push = push
        self._offer = offer
        self._describe: dict[tuple[str | None, Any], dict[str, DataKey]] = {}
        """Data keys per (stream, object), as bluesky caches them: each new stream describes
        its objects afresh; ``describe_collect`` is asked once per run (stream None)."""
        self._asset_writers: dict[Any, bool] = {}
        """Objects with ``collect_asset_docs``: whether it takes an index (asked once per run)."""
        self._collect_streams: dict[Any, str] = {}  # flyers that name their stream
        self._streams: dict[str, _Stream] = {}
        self._bundle: _Bundle | None = None
        self._monitors: dict[Any, Callable[[Any], None]] = {}
        self._stream_resources: dict[str, str] = {}
        self.closed = False

    @property
    def uid(self) -> str:
        """The run's start uid."""
        return self.run.uid

    @property
    def bundling(self) -> bool:
        """True between ``create`` and ``save``/``drop``."""
        return self._bundle is not None

    async def open(self) -> None:
        """Emit the start document."""
        await self._emit("start", self.run.start)

    def create(self, name: str) -> None:
        """Open an event bundle for stream ``name``."""
        if self._bundle is not None:
            raise IllegalMessageSequence(
                f"'create' for stream {name!r} while the bundle for {self._bundle.name!r} is "
                "still open: 'save' or 'drop' it first"
            )
        self._bundle = _Bundle(name)

    def read(self, obj: Any, reading: Mapping[str, Any]) -> Awaitable[None] | None:
        """Add ``obj``'s reading to the open bundle, if any: at once, or by the coroutine returned.

        The coroutine asks the device first (its description, its stream assets); the usual
        read of an already described device makes none.
        """
        bundle = self._bundle
        if bundle is None:
            return None
        if obj in bundle.readings:
            raise IllegalMessageSequence(f"{_name(obj)!r} was read twice in one event")
        if (bundle.name, obj) not in self._describe or obj in self._asset_writers:
            return self._read_asking(bundle, obj, reading)
        bundle.readings[obj] = reading
        return None

    async def _read_asking(self, bundle: _Bundle, obj: Any, reading: Mapping[str, Any]) -> None:
        await self._ensure_described(obj, bundle.name)
        bundle.readings[obj] = reading
        takes_index = self._asset_writers.get(obj)
        if takes_index is not None:
            bundle.assets.extend(await _asset_docs(obj, takes_index))

    def save(self) -> Awaitable[None] | None:
        """Emit the bundle as an event: at once, or by the coroutine returned.

        The coroutine is needed for a stream's first event (its descriptor), for stream assets,
        and when a subscriber's buffer is full; the usual event of a scan makes none.
        """
        bundle = self._take_bundle("save")
        if not bundle.readings:
            return None
        stream = self._streams.get(bundle.name)
        if stream is None or bundle.assets:
            return self._save_asking(bundle, stream)
        self._check_objects(bundle, stream)
        event = self._compose(bundle, stream)
        return None if self._offer("event", event) else self._emit("event", event)

    async def _save_asking(self, bundle: _Bundle, stream: _Stream | None) -> None:
        stream = stream or await self._new_stream(bundle)
        self._check_objects(bundle, stream)
        if bundle.assets:
            await self._emit_assets(bundle.assets, stream, collected=False)
        await self._emit("event", self._compose(bundle, stream))

    @staticmethod
    def _check_objects(bundle: _Bundle, stream: _Stream) -> None:
        """An event must read exactly the objects its stream was described with."""
        if bundle.readings.keys() != stream.obj_set:
            raise IllegalMessageSequence(
                f"stream {bundle.name!r} was described with {_names(stream.objs)} but this event "
                f"read {_names(bundle.readings)}: use another stream name or declare_stream"
            )

    @staticmethod
    def _compose(bundle: _Bundle, stream: _Stream) -> Any:
        data, timestamps = _merge(bundle.readings.values(), stream.event_keys)
        return stream.composer.event(data, timestamps)

    def drop(self) -> None:
        """Discard the open bundle without emitting anything."""
        self._take_bundle("drop")

    def discard_bundle(self) -> None:
        """Forget an open bundle, if any (on pause or cleanup)."""
        self._bundle = None

    async def declare_stream(self, name: str, objs: tuple[Any, ...], collect: bool) -> str:
        """Make and emit the descriptor of ``name`` before any event; return its uid."""
        if name in self._streams:
            raise IllegalMessageSequence(f"stream {name!r} is already declared in this run")
        for obj in objs:
            await self._ensure_described(obj, None if collect else name, collect=collect)
        stream = await self._make_stream(name, objs)
        return stream.composer.uid

    async def monitor(self, obj: Any, name: str | None) -> None:
        """Emit an event in stream ``name`` each time ``obj`` reports a new reading."""
        if obj in self._monitors:
            raise IllegalMessageSequence(f"{_name(obj)!r} is already monitored in this run")
        stream_name = name or f"{_name(obj)}_monitor"
        await self._ensure_described(obj, stream_name)
        stream = await self._make_stream(stream_name, (obj,))

        def on_reading(reading: Mapping[str, Any]) -> None:
            data, timestamps = _merge([reading], stream.event_keys)
            self._push("event", stream.composer.event(data, timestamps))

        self._monitors[obj] = on_reading
        obj.subscribe(on_reading)

    def unmonitor(self, obj: Any) -> None:
        """Stop monitoring ``obj``."""
        callback = self._monitors.pop(obj, None)
        if callback is None:
            raise IllegalMessageSequence(f"{_name(obj)!r} is not monitored in this run")
        obj.clear_sub(callback)

    def unmonitor_all(self) -> None:
        """Stop every monitor (at the end of the run)."""
        for obj in list(self._monitors):
            self.unmonitor(obj)

    async def collect(self, objs: tuple[Any, ...], name: str | None) -> None:
        """Collect what flyers gathered: partial events, event pages and stream assets."""
        for obj in objs:
            await self._collect_one(obj, name)

    async def close(self, exit_status: str, reason: str) -> Any:
        """Stop monitors, emit the stop document and return it."""
        self.unmonitor_all()
        self._bundle = None
        stop = self.run.stop(exit_status, reason)  # type: ignore[arg-type]
        self.closed = True
        await self._emit("stop", stop)
        return stop

    def forget_descriptions(self, obj: Any) -> None:
        """Drop ``obj``'s cached descriptions (after ``configure`` changed them)."""
        for key in [k for k in self._describe if k[1] is obj]:
            del self._describe[key]
        for name in [n for n, s in self._streams.items() if obj in s.objs]:
            del self._streams[name]

    def _stream_of(self, obj: Any) -> str | None:
        """The stream ``obj`` was declared or collected in, if any."""
        return next((n for n, s in self._streams.items() if obj in s.objs), None)

    def _take_bundle(self, command: str) -> _Bundle:
        bundle = self._bundle
        if bundle is None:
            raise IllegalMessageSequence(f"'{command}' without an open bundle: send 'create' first")
        self._bundle = None
        return bundle

    async def _ensure_described(self, obj: Any, stream: str | None, collect: bool = False) -> None:
        if (stream, obj) not in self._describe:
            method = obj.describe_collect if collect else obj.describe
            described = await maybe_await(method())
            if collect:
                stream, described = collect_stream(described, _name(obj))
                if stream is not None:
                    self._collect_streams[obj] = stream
            self._describe[stream, obj] = dict(as_described(described))
            if hasattr(obj, "collect_asset_docs"):
                self._asset_writers[obj] = _takes_index(obj)

    async def _new_stream(self, bundle: _Bundle) -> _Stream:
        return await self._make_stream(bundle.name, tuple(bundle.readings))

    async def _make_stream(self, name: str, objs: tuple[Any, ...]) -> _Stream:
        data_keys: dict[str, DataKey] = {}
        object_keys: dict[str, list[str]] = {}
        for obj in objs:
            keys = self._describe[(name, obj) if (name, obj) in self._describe else (None, obj)]
            if clash := data_keys.keys() & keys.keys():
                raise DataKeyCollision(
                    f"data keys {sorted(clash)} of {_name(obj)!r} collide with another device's "
                    f"in stream {name!r}"
                )
            owner = _name(obj)  # each key says which device it came from, as bluesky's do
            data_keys.update({key: {**dk, "object_name": owner} for key, dk in keys.items()})
            object_keys[owner] = list(keys)
        composer = self.run.descriptor(
            name,
            data_keys,
            configuration=await configuration(objs),
            object_keys=object_keys,
            hints=hints_of(objs, object_keys),
        )
        event_keys = frozenset(k for k, v in data_keys.items() if v.get("external") != "STREAM:")
        stream = _Stream(composer, objs, event_keys)
        self._streams[name] = stream
        await self._emit("descriptor", composer.doc)
        return stream

    async def _emit_assets(
        self, assets: list[tuple[str, dict[str, Any]]], stream: _Stream, collected: bool
    ) -> None:
        """Emit asset documents; a stream datum's seq_nums follow on from the stream's rows.

        Datums of different data keys in one batch cover the same rows; successive datums of
        one stream resource cover successive rows. A ``collect`` counts the rows it adds (a
        ``save`` counts its row through the event that follows).
        """
        base = stream.composer.num_events + 1
        offsets: dict[str, int] = {}
        for name, doc in assets:
            if name in ("stream_resource", "resource"):
                doc = {**doc, "run_start": self.uid}
                if name == "stream_resource":
                    self._stream_resources[doc["uid"]] = doc["data_key"]
            elif name == "stream_datum":
                if not collected:
                    _check_one_row(doc, stream)
                doc = self._fill_stream_datum(doc, stream, base, offsets)
            await self._emit(name, validate(name, doc))
        if collected and offsets:
            stream.composer.advance(max(offsets.values()))

    @staticmethod
    def _fill_stream_datum(
        doc: dict[str, Any], stream: _Stream, base: int, offsets: dict[str, int]
    ) -> dict[str, Any]:
        width = doc["indices"]["stop"] - doc["indices"]["start"]
        offset = offsets.get(doc["stream_resource"], 0)
        offsets[doc["stream_resource"]] = offset + width
        seq = {"start": base + offset, "stop": base + offset + width}
        return {**doc, "descriptor": stream.composer.uid, "seq_nums": seq}

    async def _collect_one(self, obj: Any, name: str | None) -> None:
        stream_name = name or self._stream_of(obj)
        stream = None if stream_name is None else self._streams.get(stream_name)
        if stream is None:
            await self._ensure_described(obj, None, collect=True)
            stream_name = stream_name or self._collect_streams.get(obj) or _name(obj)
            stream = self._streams.get(stream_name) or await self._make_stream(stream_name, (obj,))
        if hasattr(obj, "collect_asset_docs"):
            assets = await _asset_docs(obj, _takes_index(obj))
            await self._emit_assets(assets, stream, collected=True)
            return
        if hasattr(obj, "collect_pages"):
            async for page in _iterate(obj.collect_pages()):
                await self._emit(
                    "event_page",
                    stream.composer.event_page(
                        page["data"], page["timestamps"], time=page.get("time")
                    ),
                )
            return
        async for partial in _iterate(obj.collect()):
            event = stream.composer.event(
                partial["data"], partial["timestamps"], time=partial.get("time")
            )
            await self._emit("event", event)


def _check_one_row(doc: dict[str, Any], stream: _Stream) -> None:
    """A ``save`` makes one event, so its stream datums must each cover one frame (as bluesky)."""
    indices = doc["indices"]
    if indices["stop"] - indices["start"] != 1:
        raise IllegalMessageSequence(
            f"a stream datum saved with one event of stream {stream.composer.name!r} covers "
            f"frames {indices['start']} to {indices['stop']}: it must cover exactly one; a device "
            "should reference one frame per read, or be collected as a flyer"
        )


def _merge(readings: Any, event_keys: frozenset[str]) -> tuple[dict[str, Any], dict[str, float]]:
    data: dict[str, Any] = {}
    timestamps: dict[str, float] = {}
    for reading in readings:
        for key, value in reading.items():
            if key in event_keys:
                data[key] = value["value"]
                timestamps[key] = value["timestamp"]
    return data, timestamps


def _takes_index(obj: Any) -> bool:
    """Whether ``obj.collect_asset_docs`` takes bluesky's ``index`` argument."""
    return bool(inspect.signature(obj.collect_asset_docs).parameters)


async def _asset_docs(obj: Any, takes_index: bool) -> list[tuple[str, dict[str, Any]]]:
    """Return ``obj``'s asset documents now.

    A plain iterator is listed directly: an async generator, made and registered with the loop
    at every read, would cost more than the rest of the event.
    """
    method = obj.collect_asset_docs
    docs = method(None) if takes_index else method()
    if hasattr(docs, "__aiter__"):
        return [(name, dict(doc)) async for name, doc in docs]
    if inspect.isawaitable(docs):
        docs = await docs
    return [(name, dict(doc)) for name, doc in docs]


async def _iterate(items: Any) -> AsyncIterator[Any]:
    if hasattr(items, "__aiter__"):
        async for item in items:
            yield item
    else:
        for item in await maybe_await(items):
            yield item


def _name(obj: Any) -> str:
    return str(getattr(obj, "name", None) or repr(obj))


def _names(objs: Any) -> list[str]:
    return sorted(_name(o) for o in objs)
