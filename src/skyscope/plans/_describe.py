"""Plans that describe themselves, and arguments checked against that description.

``describe_plan(count)`` is the entry bluesky-queueserver publishes for a plan in
``plans_allowed`` — name, module, description, and each parameter's name, kind, default,
description and annotation — plus ``schema``: a JSON Schema of the arguments, devices given
by name. ``validate_plan_args`` checks arguments against the same description (one pydantic
model over the plan's signature gives both), resolves device names to devices, and refuses
what the plan cannot take with a message per problem, before anything moves.
"""

from __future__ import annotations

import ast
import difflib
import functools
import importlib
import inspect
import json
import sys
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pydantic
from pydantic import ConfigDict, Field

from ._docstrings import Docstring, parse_docstring
from ._plan_types import type_string, wire_type

_KINDS = inspect.Parameter
_POSITIONAL = (_KINDS.POSITIONAL_ONLY, _KINDS.POSITIONAL_OR_KEYWORD)
_BY_NAME = (_KINDS.POSITIONAL_OR_KEYWORD, _KINDS.KEYWORD_ONLY)
_LATE_NAMES = {"MDASequence": "useq", "MDAEvent": "useq"}
"""Names plans import only for type checking, and where to find them when describing."""


class PlanArgumentError(ValueError):
    """Arguments a plan cannot take: the message names the plan and each problem."""


@dataclass(frozen=True)
class _Spec:
    """What describing and validating a plan needs, worked out once per plan."""

    parameters: tuple[inspect.Parameter, ...]
    hints: dict[str, Any]
    doc: Docstring
    model: type[pydantic.BaseModel]
    fields: dict[str, str]
    """Parameter name -> model field name."""


def is_plan_function(obj: object) -> bool:
    """Whether ``obj`` is a plan function: calling it makes a plan (an async or plain generator)."""
    return inspect.isasyncgenfunction(obj) or inspect.isgeneratorfunction(obj)


def describe_plan(fn: Callable[..., Any]) -> dict[str, Any]:
    """Describe the plan function ``fn`` as bluesky-queueserver lists it, with a JSON Schema.

    Returns ``{"name", "module", "description", "properties", "parameters", "schema"}``; each
    parameter is ``{"name", "kind": {"name", "value"}, "description", "annotation": {"type"},
    "default"}`` (``default`` as Python source, present only when the parameter has one that
    is a literal; devices are annotated ``__READABLE__``, ``__MOVABLE__``, ``__FLYABLE__`` or
    ``__DEVICE__`` and given by name).
    """
    spec = _spec(fn)
    schema = spec.model.model_json_schema(by_alias=True)
    schema.update(title=fn.__name__, description=spec.doc.description)
    return {
        "name": fn.__name__,
        "module": _public_module(fn),
        "description": spec.doc.description,
        "properties": {"is_generator": True},
        "parameters": [_describe_parameter(p, spec) for p in spec.parameters],
        "schema": schema,
    }


def describe_plans(plans: Sequence[Callable[..., Any]] | None = None) -> dict[str, Any]:
    """Describe ``plans`` (default: every plan of ``skyscope.plans``), by name."""
    if plans is None:
        module = sys.modules[__package__ or "skyscope.plans"]
        found = (getattr(module, name) for name in getattr(module, "__all__", ()))
        plans = [fn for fn in found if is_plan_function(fn)]
    return {fn.__name__: describe_plan(fn) for fn in plans}


def validate_plan_args(
    fn: Callable[..., Any],
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    devices: Mapping[str, object] | None = None,
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Check arguments for the plan ``fn``; return them ready to call it, devices resolved.

    Device parameters take a device's name in ``devices`` (or the device itself); every other
    value is validated as JSON would bring it (a dict becomes an ``MDASequence``, a list a
    tuple...). Raises ``PlanArgumentError`` naming every unknown or missing parameter, wrong
    type, unknown device and device lacking what its parameter needs.
    """
    spec = _spec(fn)
    given, positional, problems = _bind(spec, tuple(args), dict(kwargs or {}))
    try:
        validated = spec.model.model_validate(given, context={"devices": dict(devices or {})})
    except pydantic.ValidationError as error:
        problems += _explain(error)
        validated = None
    if problems:
        raise PlanArgumentError(f"{fn.__name__}: " + "; ".join(problems))
    values = {name: getattr(validated, spec.fields[name]) for name in given}
    return _call_arguments(spec, values, positional)


@functools.cache
def _spec(fn: Callable[..., Any]) -> _Spec:
    if not callable(fn):
        raise TypeError(f"expected a plan function, got {fn!r}")
    parameters = tuple(inspect.signature(fn).parameters.values())
    hints = _type_hints(fn)
    doc = parse_docstring(fn.__doc__)
    fields: dict[str, str] = {}
    definitions: dict[str, Any] = {}
    for number, parameter in enumerate(parameters):
        field = fields[parameter.name] = f"p{number}"
        definitions[field] = _field(parameter, hints.get(parameter.name, Any), doc)
    model = pydantic.create_model(
        f"{fn.__name__}_arguments",
        __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=True),
        **definitions,
    )
    return _Spec(parameters, hints, doc, model, fields)


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    """The annotations of ``fn``, resolving names its module imports only for type checking."""
    late = {}
    for name, module in _LATE_NAMES.items():
        try:
            late[name] = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    return typing.get_type_hints(fn, localns=late, include_extras=True)


def _field(parameter: inspect.Parameter, annotation: Any, doc: Docstring) -> tuple[Any, Any]:
    kind = wire_type(annotation)
    options: dict[str, Any] = {
        "alias": parameter.name,
        "title": parameter.name,
        "description": doc.parameters.get(parameter.name),
    }
    if parameter.kind is _KINDS.VAR_POSITIONAL:
        return list[kind], Field(default_factory=list, **options)  # type: ignore[valid-type]
    if parameter.kind is _KINDS.VAR_KEYWORD:
        return dict[str, kind], Field(default_factory=dict, **options)  # type: ignore[valid-type]
    if parameter.default is _KINDS.empty:
        return kind, Field(**options)
    if _json_default(parameter.default):
        return kind, Field(default=parameter.default, **options)
    default = parameter.default
    return kind, Field(default_factory=lambda: default, **options)


def _json_default(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _describe_parameter(parameter: inspect.Parameter, spec: _Spec) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": parameter.name,
        "kind": {"name": parameter.kind.name, "value": int(parameter.kind)},
    }
    description = spec.doc.parameters.get(parameter.name)
    if description:
        entry["description"] = description
    annotation = type_string(spec.hints.get(parameter.name, Any))
    if annotation:
        entry["annotation"] = {"type": annotation}
    if parameter.default is not _KINDS.empty and _literal(parameter.default):
        entry["default"] = repr(parameter.default)
    return entry


def _literal(value: Any) -> bool:
    """Whether ``repr(value)`` reads back as ``value`` (how the queue server keeps defaults)."""
    try:
        return bool(ast.literal_eval(repr(value)) == value)
    except (ValueError, SyntaxError, TypeError):
        return False


def _public_module(fn: Callable[..., Any]) -> str:
    """``skyscope.plans._scans`` -> ``skyscope.plans``: where users import the plan from."""
    parts = str(getattr(fn, "__module__", "")).split(".")
    private = next((i for i, part in enumerate(parts) if part.startswith("_")), len(parts))
    return ".".join(parts[:private])


def _bind(
    spec: _Spec, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[dict[str, Any], list[str], list[str]]:
    """Match arguments to parameters: (values by parameter, those given by position, problems)."""
    parameters = spec.parameters
    slots = [
        p for p in parameters if p.kind in (_KINDS.POSITIONAL_ONLY, _KINDS.POSITIONAL_OR_KEYWORD)
    ]
    var_args = next((p for p in parameters if p.kind is _KINDS.VAR_POSITIONAL), None)
    var_kwargs = next((p for p in parameters if p.kind is _KINDS.VAR_KEYWORD), None)
    given: dict[str, Any] = {p.name: value for p, value in zip(slots, args, strict=False)}
    positional = list(given)
    problems: list[str] = []
    if len(args) > len(slots):
        if var_args is not None:
            given[var_args.name] = list(args[len(slots) :])
            positional.append(var_args.name)
        else:
            names = ", ".join(p.name for p in slots)
            problems.append(f"takes {len(slots)} positional arguments ({names}), got {len(args)}")
    named = {
        p.name for p in parameters if p.kind in (_KINDS.POSITIONAL_OR_KEYWORD, _KINDS.KEYWORD_ONLY)
    }
    extra: dict[str, Any] = {}
    for name, value in kwargs.items():
        if name in given:
            problems.append(f"parameter {name!r} is given twice")
        elif name in named:
            given[name] = value
        elif var_kwargs is not None:
            extra[name] = value
        else:
            problems.append(f"unknown parameter {name!r}{_did_you_mean(name, named)}")
    if extra and var_kwargs is not None:
        given[var_kwargs.name] = extra
    for parameter in parameters:
        variadic = parameter.kind in (_KINDS.VAR_POSITIONAL, _KINDS.VAR_KEYWORD)
        if not variadic and parameter.default is _KINDS.empty and parameter.name not in given:
            problems.append(f"missing parameter {parameter.name!r}")
    return given, positional, problems


def _did_you_mean(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return (
        f" (did you mean {close[0]!r}?)" if close else f" (parameters: {', '.join(sorted(known))})"
    )


def _explain(error: pydantic.ValidationError) -> list[str]:
    """One line per argument pydantic refused: of a union, only the branches likely meant."""
    groups: dict[tuple[int | str, ...], dict[str, list[Any]]] = {}
    for item in error.errors():
        loc = item["loc"]
        if item["type"] == "missing" and len(loc) == 1:
            continue  # reported by the binding, in words
        cut = next((i for i, part in enumerate(loc) if i and _branch(part)), len(loc))
        branch = str(loc[cut]) if cut < len(loc) else ""
        groups.setdefault(loc[:cut], {}).setdefault(branch, []).append(item)
    messages: dict[str, list[str]] = {}
    for branches in groups.values():
        for branch in _likely(branches):
            for item in branches[branch]:
                message = item["msg"].removeprefix("Value error, ")
                messages.setdefault(_path(item["loc"]), []).append(message)
    return [f"{path}: {' or '.join(dict.fromkeys(found))}" for path, found in messages.items()]


def _likely(branches: dict[str, list[Any]]) -> list[str]:
    """The union branches the argument was most likely meant for.

    A name that resembles a known device meant that device; otherwise the branches missing
    the fewest fields (a time plan given ``loops`` meant the plan that has loops).
    """
    if len(branches) == 1:
        return list(branches)
    by_name = [b for b in branches if b.startswith("function-plain[")]
    if len(by_name) < len(branches) and all(
        isinstance(i["input"], _JSON_VALUES) for b in by_name for i in branches[b]
    ):  # a number or a list is no device's name: leave the device branches out
        branches = {b: items for b, items in branches.items() if b not in by_name}
    for branch, items in branches.items():
        if branch.startswith("function-plain[") and any("did you mean" in i["msg"] for i in items):
            return [branch]
    missing = {b: sum(i["type"] == "missing" for i in items) for b, items in branches.items()}
    fewest = min(missing.values())
    return [b for b, count in missing.items() if count == fewest]


def _path(loc: tuple[int | str, ...]) -> str:
    """``('args', 0, 'function-plain[resolve()]')`` -> ``args[0]``: where, branches left out."""
    path = str(loc[0])
    for part in loc[1:]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not _branch(part):
            path += f".{part}"
    return path


def _branch(part: int | str) -> bool:
    """Whether a location part names a union's branch (``int``, ``TIntervalLoops``...)."""
    if not isinstance(part, str):
        return False
    return "[" in part or "-" in part or part[:1].isupper() or part in _SCALAR_TAGS


_JSON_VALUES = (int, float, bool, list, dict, type(None))
_SCALAR_TAGS = {"int", "float", "str", "bool", "none", "bytes", "list", "dict", "tuple"}


def _call_arguments(
    spec: _Spec, values: dict[str, Any], positional: list[str]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    call_args: list[Any] = []
    call_kwargs: dict[str, Any] = {}
    for parameter in spec.parameters:
        if parameter.name not in values:
            continue
        value = values[parameter.name]
        if parameter.kind is _KINDS.VAR_POSITIONAL:
            call_args.extend(value)
        elif parameter.kind is _KINDS.VAR_KEYWORD:
            call_kwargs.update(value)
        elif parameter.name in positional:
            call_args.append(value)
        else:
            call_kwargs[parameter.name] = value
    return tuple(call_args), call_kwargs
