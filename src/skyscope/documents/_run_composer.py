"""The run composer: skyscope's ``event_model.compose_run``.

start → descriptors (one ``StreamComposer`` per stream) → events / pages, resources and
stream resources with their datums → stop. Every document is validated before it is returned;
nothing may follow the stop.
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping
from typing import Any, cast

from ._asset_composers import ResourceComposer, StreamResourceComposer
from ._asset_types import PathSemantics, Resource, StreamResource
from ._data_key import DataKey
from ._descriptor_types import Configuration, EventDescriptor, PerObjectHint
from ._errors import DocumentValidationError
from ._run_state import RunState
from ._run_types import ExitStatus, RunStart, RunStop
from ._stream import EventCounter, StreamComposer
from ._uid import new_uid
from ._validate import validate

_RESERVED_START_KEYS = ("uid", "time")


class RunComposer:
    """Composes one run's documents, each validated, in the event model's order."""

    def __init__(
        self, metadata: Mapping[str, Any], *, uid: str | None = None, time: float | None = None
    ) -> None:
        """Compose and validate the start document from ``metadata``.

        ``uid`` and ``time`` are generated unless given here; the metadata may not set them.
        """
        clash = [key for key in _RESERVED_START_KEYS if key in metadata]
        if clash:
            raise DocumentValidationError(
                "start", f"metadata may not set {clash}: pass them as keyword arguments instead"
            )
        doc = {"uid": new_uid() if uid is None else uid, "time": _now(time), **metadata}
        self.start = cast(RunStart, validate("start", doc))
        self.uid: str = self.start["uid"]
        self._run = RunState(self.uid)
        self._counters: dict[str, EventCounter] = {}
        self._streams: dict[str, StreamComposer] = {}

    @property
    def streams(self) -> Mapping[str, StreamComposer]:
        """The latest stream composer of each stream name, in the order they were described."""
        return self._streams

    @property
    def stopped(self) -> bool:
        """Whether the stop document has been composed."""
        return self._run.stopped

    def descriptor(
        self,
        name: str,
        data_keys: Mapping[str, DataKey],
        *,
        configuration: Mapping[str, Configuration] | None = None,
        object_keys: Mapping[str, list[str]] | None = None,
        hints: Mapping[str, Any] | None = None,
        object_classes: Mapping[str, str] | None = None,
        time: float | None = None,
        uid: str | None = None,
    ) -> StreamComposer:
        """Compose a stream's descriptor and return the composer of its events.

        A stream name described again must keep the same data keys; its events keep counting.
        """
        self._run.refuse_if_stopped("descriptor")
        self._refuse_changed_keys(name, data_keys)
        doc = {
            "uid": new_uid() if uid is None else uid,
            "time": _now(time),
            "run_start": self.uid,
            "name": name,
            "data_keys": {key: dict(value) for key, value in data_keys.items()},
            "configuration": dict(configuration or {}),
            "object_keys": dict(object_keys or {}),
            "object_classes": dict(object_classes or {}),
            "hints": cast(PerObjectHint, dict(hints or {})),
        }
        descriptor = cast(EventDescriptor, validate("descriptor", doc))
        counter = self._counters.setdefault(name, EventCounter())
        stream = StreamComposer(self._run, descriptor, counter)
        self._streams[name] = stream
        return stream

    def resource(
        self,
        spec: str,
        root: str,
        resource_path: str,
        resource_kwargs: Mapping[str, Any],
        *,
        path_semantics: PathSemantics = "posix",
        uid: str | None = None,
    ) -> ResourceComposer:
        """Compose a resource document and return the composer of its datums."""
        fields = {
            "spec": spec,
            "root": root,
            "resource_path": resource_path,
            "resource_kwargs": dict(resource_kwargs),
            "path_semantics": path_semantics,
        }
        return ResourceComposer(self._run, cast(Resource, self._asset("resource", uid, fields)))

    def stream_resource(
        self,
        data_key: str,
        mimetype: str,
        uri: str,
        parameters: Mapping[str, Any],
        *,
        uid: str | None = None,
    ) -> StreamResourceComposer:
        """Compose a stream resource document and return the composer of its stream datums."""
        fields: dict[str, Any] = {"data_key": data_key, "mimetype": mimetype, "uri": uri}
        fields["parameters"] = dict(parameters)
        doc = cast(StreamResource, self._asset("stream_resource", uid, fields))
        return StreamResourceComposer(self._run, doc)

    def stop(
        self,
        exit_status: ExitStatus = "success",
        reason: str = "",
        *,
        time: float | None = None,
        uid: str | None = None,
    ) -> RunStop:
        """Compose the stop document (event counts per stream name); nothing may follow it.

        An invalid stop (e.g. an unknown exit status) is refused and leaves the run open.
        """
        self._run.refuse_if_stopped("stop")
        doc = {
            "uid": new_uid() if uid is None else uid,
            "time": _now(time),
            "run_start": self.uid,
            "exit_status": exit_status,
            "reason": reason,
            "num_events": {name: counter.count for name, counter in self._counters.items()},
        }
        stop = cast(RunStop, validate("stop", doc))
        self._run.stopped = True
        return stop

    def _asset(self, kind: str, uid: str | None, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Compose and validate a (stream) resource document of this run."""
        self._run.refuse_if_stopped(kind)
        doc = {"uid": new_uid() if uid is None else uid, **fields, "run_start": self.uid}
        return validate(kind, doc)

    def _refuse_changed_keys(self, name: str, data_keys: Mapping[str, DataKey]) -> None:
        earlier = self._streams.get(name)
        if earlier is not None and set(earlier.doc["data_keys"]) != set(data_keys):
            raise DocumentValidationError(
                "descriptor",
                f"stream {name!r} was described with data keys {sorted(earlier.doc['data_keys'])}; "
                f"a later descriptor of it must have the same, got {sorted(data_keys)}",
                self._run.where,
            )


def _now(time: float | None) -> float:
    return _time.time() if time is None else time
