"""A plan parameter's annotation, turned into what crosses a wire: JSON, with devices by name.

``wire_type`` makes a pydantic type of an annotation: numbers, strings, sequences, useq models
and dataclasses stay as they are; a device protocol (``Readable``, ``Movable``, a
``MicroscopeLike``...) becomes the name of a device, looked up in the ``devices`` mapping given
as validation context and checked for every member the protocol has; a callable or another
object plain JSON cannot carry is referred to by name the same way. ``type_string`` spells the
annotation the way bluesky-queueserver lists it (``__READABLE__`` for a readable device...).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import difflib
import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pydantic
from pydantic import PlainValidator, ValidationInfo, WithJsonSchema

from ..devices import Flyable, Movable, Readable

_QUEUE_SERVER_DEVICES: dict[type, str] = {
    Readable: "__READABLE__",
    Movable: "__MOVABLE__",
    Flyable: "__FLYABLE__",
}
_SEQUENCES = {collections.abc.Sequence, collections.abc.Iterable, collections.abc.Collection}
_MAPPINGS = {collections.abc.Mapping, collections.abc.MutableMapping, dict}
_UNIONS = (Union, types.UnionType)
_PLAIN = (bool, int, float, str, bytes, type(None))


def wire_type(annotation: Any) -> Any:
    """Return the pydantic type that validates ``annotation`` as it arrives over JSON."""
    if annotation is Any or annotation is typing.Any:
        return Any
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return wire_type(args[0])
    if origin in _UNIONS:
        return Union[tuple(wire_type(a) for a in args)]  # noqa: UP007 - built at run time
    if origin is Literal or annotation in _PLAIN:
        return annotation
    protocol = protocol_of(annotation)
    if protocol is not None:
        return named(protocol)
    if origin is collections.abc.Callable or annotation is collections.abc.Callable:
        return named(None)
    if origin in _SEQUENCES or origin is list:
        return list[wire_type(args[0]) if args else Any]  # type: ignore[misc]
    if origin is tuple:
        return tuple[tuple(wire_type(a) if a is not Ellipsis else a for a in args)]  # type: ignore[misc]
    if origin in _MAPPINGS:
        key, value = args or (Any, Any)
        return dict[wire_type(key), wire_type(value)]  # type: ignore[misc]
    if isinstance(annotation, type) and not _jsonable_class(annotation):
        return named(annotation)
    return annotation


def protocol_of(annotation: Any) -> type | None:
    """The Protocol class ``annotation`` names (``Readable[Any]`` names ``Readable``), if any."""
    cls = get_origin(annotation) or annotation
    if isinstance(cls, type) and getattr(cls, "_is_protocol", False):
        return cls
    return None


def protocol_members(protocol: type) -> list[str]:
    """The public attributes and methods a Protocol requires, its bases' included."""
    names: set[str] = set()
    for cls in protocol.__mro__:
        if cls in (typing.Protocol, typing.Generic, object) or not getattr(cls, "_is_protocol", 0):
            continue
        names.update(n for n in vars(cls) if not n.startswith("_"))
        names.update(n for n in getattr(cls, "__annotations__", {}) if not n.startswith("_"))
    return sorted(names)


def named(kind: type | None) -> Any:
    """A value given by name (resolved in the ``devices`` context) or as the object itself.

    ``kind`` is a Protocol the object must satisfy, a class it must be an instance of, or
    None for any callable.
    """
    what = "callable" if kind is None else kind.__name__
    schema = {
        "type": "string",
        "description": f"the name of a {what} the server knows",
        "x-skyscope-kind": what,
    }
    check = _checker(kind)

    def resolve(value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            value = _look_up(value, (info.context or {}).get("devices", {}))
        check(value)
        return value

    return Annotated[Any, PlainValidator(resolve), WithJsonSchema(schema)]


def _look_up(name: str, devices: Mapping[str, Any]) -> Any:
    if name in devices:
        return devices[name]
    close = difflib.get_close_matches(name, list(devices), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"unknown device {name!r}{hint}")


def _checker(kind: type | None) -> Callable[[Any], None]:
    if kind is None:

        def is_callable(obj: Any) -> None:
            if not callable(obj):
                raise ValueError(f"{_label(obj)} is not callable")

        return is_callable
    if getattr(kind, "_is_protocol", False):
        members = protocol_members(kind)

        def satisfies(obj: Any) -> None:
            missing = [m for m in members if not hasattr(obj, m)]
            if missing:
                raise ValueError(
                    f"{_label(obj)} is not {kind.__name__}: it has no {', '.join(missing)}"
                )

        return satisfies

    def is_instance(obj: Any) -> None:
        if not isinstance(obj, kind):
            raise ValueError(f"{_label(obj)} is not a {kind.__name__}")

    return is_instance


def _label(obj: Any) -> str:
    name = getattr(obj, "name", None)
    return repr(name) if isinstance(name, str) else f"{type(obj).__name__} {obj!r}"


def _jsonable_class(cls: type) -> bool:
    """Whether pydantic turns JSON into a ``cls`` by itself (models, dataclasses, enums...)."""
    return (
        issubclass(cls, pydantic.BaseModel | int | float | str)
        or dataclasses.is_dataclass(cls)
        or cls in (list, dict, tuple, set)
    )


def type_string(annotation: Any) -> str | None:
    """The annotation as bluesky-queueserver writes a parameter's type (None: say nothing)."""
    if annotation is Any or annotation is typing.Any:
        return None
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return type_string(args[0])
    if annotation is type(None):
        return "NoneType"
    if origin in _UNIONS:
        parts = [type_string(a) or "typing.Any" for a in args]
        if len(parts) == 2 and "NoneType" in parts:
            return f"typing.Optional[{next(p for p in parts if p != 'NoneType')}]"
        return f"typing.Union[{', '.join(parts)}]"
    protocol = protocol_of(annotation)
    if protocol is not None:
        members = set(protocol_members(protocol))  # structurally: a camera is Readable
        found = [v for k, v in _QUEUE_SERVER_DEVICES.items() if members >= set(protocol_members(k))]
        return found[0] if found else "__DEVICE__"
    if origin is collections.abc.Callable or annotation is collections.abc.Callable:
        return "__CALLABLE__"
    if origin in _SEQUENCES or origin is list or origin is tuple:
        inner = [type_string(a) or "typing.Any" for a in args if a is not Ellipsis]
        kind = "typing.Tuple" if origin is tuple and Ellipsis not in args else "typing.List"
        return f"{kind}[{', '.join(inner)}]" if inner else kind
    if origin in _MAPPINGS:
        key, value = (type_string(a) or "typing.Any" for a in (args or (Any, Any)))
        return f"typing.Dict[{key}, {value}]"
    if origin is Literal:
        return f"typing.Literal[{', '.join(map(repr, args))}]"
    if isinstance(annotation, type):
        for plain in _PLAIN:
            if issubclass(annotation, plain):
                return plain.__name__ if plain is not type(None) else "NoneType"
        models = issubclass(annotation, pydantic.BaseModel) or dataclasses.is_dataclass(annotation)
        return "dict" if models else "__DEVICE__"
    return None
