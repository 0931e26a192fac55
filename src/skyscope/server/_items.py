"""Queue items in bluesky-queueserver's shape, and their checks before they enter the queue.

A plan item is ``{"item_type": "plan", "name", "args", "kwargs", "item_uid", "user",
"user_group"}``; the one instruction is ``{"item_type": "instruction", "name": "queue_stop"}``.
A plan item is checked when added — the plan exists and its group may use it, its arguments
fit the plan's description, its devices exist and its group may use them — so nothing invalid
ever reaches the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from skyscope.plans import PlanArgumentError, validate_plan_args

from ._environment import Environment
from ._permissions import allowed_names
from ._uids import new_uid

INSTRUCTIONS = ("queue_stop",)
_ITEM_KEYS = {"item_type", "name", "args", "kwargs", "item_uid", "user", "user_group", "meta"}


class ItemError(ValueError):
    """An item the queue refuses: the message says what is wrong with it."""


def new_item(raw: Any, *, user: str, user_group: str) -> dict[str, Any]:
    """A fresh queue item from what a client sent: the shape checked, a new ``item_uid``."""
    item = dict(_shape(raw))
    item["item_uid"] = new_uid()
    item["user"], item["user_group"] = user, user_group
    return item


def _shape(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise ItemError(f"an item must be a JSON object, not {type(raw).__name__}")
    unknown = sorted(set(raw) - _ITEM_KEYS - {"result", "properties"})
    if unknown:
        raise ItemError(f"unknown item keys: {', '.join(unknown)}")
    item_type, name = raw.get("item_type"), raw.get("name")
    if item_type == "instruction":
        if name not in INSTRUCTIONS:
            raise ItemError(f"unknown instruction {name!r} (known: {', '.join(INSTRUCTIONS)})")
        return {"item_type": "instruction", "name": name}
    if item_type != "plan":
        raise ItemError(f"item_type must be 'plan' or 'instruction', not {item_type!r}")
    if not isinstance(name, str) or not name:
        raise ItemError("a plan item needs the plan's 'name'")
    args, kwargs = raw.get("args", []), raw.get("kwargs", {})
    if not isinstance(args, list):
        raise ItemError(f"{name}: 'args' must be a list, not {type(args).__name__}")
    if not isinstance(kwargs, Mapping) or not all(isinstance(k, str) for k in kwargs):
        raise ItemError(f"{name}: 'kwargs' must be an object of named arguments")
    shaped = {"item_type": "plan", "name": name, "args": list(args), "kwargs": dict(kwargs)}
    if isinstance(raw.get("meta"), Mapping):
        shaped["meta"] = dict(raw["meta"])
    return shaped


def resolve_plan(
    item: Mapping[str, Any], environment: Environment | None, permissions: Mapping[str, Any]
) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
    """The plan function and its call arguments, devices resolved; ``ItemError`` if refused."""
    if environment is None:
        raise ItemError(
            "the environment is closed: open it (environment_open) so plans can be checked"
        )
    name, group = item["name"], item.get("user_group", "primary")
    try:
        plans = allowed_names(permissions, group, "plans", environment.plans)
        devices = allowed_names(permissions, group, "devices", environment.devices)
    except ValueError as error:
        raise ItemError(str(error)) from error
    if name not in environment.plans:
        raise ItemError(f"unknown plan {name!r} (plans: {', '.join(sorted(environment.plans))})")
    if name not in plans:
        raise ItemError(f"plan {name!r} is not allowed to user group {group!r}")
    allowed = {n: environment.devices[n] for n in devices}
    try:
        args, kwargs = validate_plan_args(
            environment.plans[name], item.get("args", []), item.get("kwargs", {}), allowed
        )
    except PlanArgumentError as error:
        raise ItemError(str(error)) from error
    return environment.plans[name], args, kwargs
