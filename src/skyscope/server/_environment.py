"""The environment: the devices and plans a queue server exposes, from a startup file or module.

A startup file (``profile.py``) or module (``my_lab.profile``) is imported once per opening.
It names its devices, plans and functions either explicitly (``devices = {...}``, ``plans =
[...]``, ``functions = [...]``, lists or dicts) or implicitly: every public global that is a
plan function, every public global that is a device (it has a ``name`` and a ``read``, ``set``
or ``kickoff`` method), and every other public function the startup itself defines. An optional
``async def setup()`` runs when the environment opens (to connect devices) and ``async def
teardown()`` when it closes.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import sys
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from skyscope.plans import describe_plan, is_plan_function

Hook = Callable[[], Awaitable[Any]]
Parts = dict[str, Any]
HOOKS = ("setup", "teardown")
DIRECT_NAMESPACE = "skyscope_environment"
"""The ``__name__`` of an environment built from its parts (functions scripts define there)."""


class StartupError(RuntimeError):
    """A startup file or module that cannot be loaded, or defines no usable plans."""


@dataclass
class Environment:
    """Devices and plans by the names clients use, and how to release them."""

    devices: dict[str, object]
    plans: dict[str, Callable[..., Any]]
    teardown: Hook | None = None
    uid: str = field(default_factory=lambda: str(uuid.uuid4()))
    functions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    """Functions clients may call (``function_execute``), as permissions allow."""
    namespace: dict[str, Any] = field(default_factory=dict)
    """The startup's globals, where uploaded scripts run (its parts, if built directly)."""

    def __post_init__(self) -> None:
        if not self.namespace:
            self.namespace.update(__name__=DIRECT_NAMESPACE, **self.devices, **self.plans)
            self.namespace.update(self.functions)

    def rescan(self) -> None:
        """Find the devices, plans and functions again (a script changed the namespace).

        A startup that lists them explicitly keeps its lists: a script extends them by
        editing those lists (``plans.append(my_plan)``).
        """
        self.devices, self.plans, self.functions = _contents(self.namespace)
        self.uid = str(uuid.uuid4())

    async def close(self) -> None:
        """Release what ``setup`` took (the startup's ``teardown``)."""
        if self.teardown is not None:
            await self.teardown()

    def plans_existing(self) -> dict[str, dict[str, Any]]:
        """Every plan's description, as bluesky-queueserver lists it (with a JSON Schema)."""
        return {name: {**describe_plan(fn), "name": name} for name, fn in self.plans.items()}

    def devices_existing(self) -> dict[str, dict[str, Any]]:
        """Every device's description, as bluesky-queueserver lists it."""
        return {name: describe_device(device) for name, device in self.devices.items()}


def describe_device(device: object) -> dict[str, Any]:
    """``{"classname", "module", "is_readable", "is_movable", "is_flyable"}`` of a device."""
    kind = type(device)
    return {
        "classname": kind.__name__,
        "module": kind.__module__,
        "is_readable": callable(getattr(device, "read", None)),
        "is_movable": callable(getattr(device, "set", None)),
        "is_flyable": callable(getattr(device, "kickoff", None)),
    }


def is_device(obj: object) -> bool:
    """Whether ``obj`` looks like a device: a named instance that can be read, set or flown."""
    if inspect.isclass(obj) or inspect.ismodule(obj) or inspect.isroutine(obj):
        return False
    if not isinstance(getattr(obj, "name", None), str):
        return False
    return any(callable(getattr(obj, verb, None)) for verb in ("read", "set", "kickoff"))


async def environment_from_namespace(namespace: Mapping[str, Any]) -> Environment:
    """Build an environment from a startup's globals (after awaiting its ``setup``)."""
    setup = namespace.get("setup")
    if setup is not None:
        if not inspect.iscoroutinefunction(setup):
            raise StartupError("the startup's setup must be an async function")
        await setup()
    devices, plans, functions = _contents(namespace)
    teardown = namespace.get("teardown")
    if teardown is not None and not inspect.iscoroutinefunction(teardown):
        raise StartupError("the startup's teardown must be an async function")
    globals_ = namespace if isinstance(namespace, dict) else dict(namespace)
    return Environment(
        devices=devices, plans=plans, teardown=teardown, functions=functions, namespace=globals_
    )


def _contents(
    namespace: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A namespace's devices, plans and functions: listed explicitly, or found by kind."""
    public = {n: v for n, v in namespace.items() if not n.startswith("_")}
    devices = _named(namespace.get("devices"), "devices")
    if devices is None:
        devices = {n: v for n, v in public.items() if is_device(v)}
    plans = _named(namespace.get("plans"), "plans")
    if plans is None:
        plans = {n: v for n, v in public.items() if is_plan_function(v)}
    for name, plan in plans.items():
        if not is_plan_function(plan):
            raise StartupError(f"plan {name!r} is not a plan function: {plan!r}")
    functions = _named(namespace.get("functions"), "functions")
    if functions is None:  # the plain functions the startup itself defines
        home = namespace.get("__name__")
        functions = {
            n: v
            for n, v in public.items()
            if inspect.isfunction(v)
            and v.__module__ == home
            and n not in HOOKS
            and not is_plan_function(v)
        }
    for name, fn in functions.items():
        if not callable(fn):
            raise StartupError(f"function {name!r} is not callable: {fn!r}")
    return devices, plans, functions


def _named(value: Any, what: str) -> dict[str, Any] | None:
    """A startup's explicit ``devices`` or ``plans``: a dict, or a list named by ``__name__``."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list | tuple):
        return {getattr(v, "__name__", None) or v.name: v for v in value}
    raise StartupError(f"the startup's {what} must be a dict or a list, not {value!r}")


def load_startup(startup: str | Path) -> ModuleType:
    """Import a startup file (a path ending in .py) or module (a dotted name), afresh."""
    text = str(startup)
    if text.endswith(".py") or Path(text).is_file():
        path = Path(text)
        if not path.is_file():
            raise StartupError(f"no startup file at {path}")
        name = f"_skyscope_startup_{uuid.uuid4().hex}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise StartupError(f"cannot import the startup file {path}")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            raise StartupError(f"the startup file {path} failed: {error!r}") from error
        return module
    try:
        loaded = sys.modules.get(text)
        return importlib.reload(loaded) if loaded is not None else importlib.import_module(text)
    except Exception as error:
        raise StartupError(f"cannot import the startup module {text!r}: {error!r}") from error


def startup_factory(startup: str | Path) -> Callable[[], Awaitable[Environment]]:
    """A factory opening the environment a startup file or module defines."""

    async def open_environment() -> Environment:
        module = await asyncio.to_thread(load_startup, startup)  # imports block: off the loop
        return await environment_from_namespace(vars(module))

    return open_environment
