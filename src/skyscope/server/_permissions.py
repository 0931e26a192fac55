"""Which plans and devices a user group may use, in bluesky-queueserver's permissions format.

``{"user_groups": {"root": {...}, "primary": {...}}}``: each group lists ``allowed_plans``,
``forbidden_plans``, ``allowed_devices``, ``forbidden_devices``, ``allowed_functions`` and
``forbidden_functions`` (the startup's functions ``function_execute`` may call): a name is
matched exactly, a pattern labelled with ``:`` (``":^det"``, ``":.*"``) is a regular
expression searched in the name, and ``null`` in an allowed list allows everything (in a
forbidden list, nothing). The ``root`` group's rules apply to every group as well as its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

KINDS = ("plans", "devices", "functions")
"""What permissions govern; a group without rules for a kind may use none of it."""

DEFAULT_PERMISSIONS: dict[str, Any] = {
    "user_groups": {
        "root": {
            "allowed_plans": [None],
            "forbidden_plans": [None],
            "allowed_devices": [None],
            "forbidden_devices": [None],
            "allowed_functions": [None],
            "forbidden_functions": [None],
        },
        "primary": {
            "allowed_plans": [":.*"],
            "forbidden_plans": [None],
            "allowed_devices": [":.*"],
            "forbidden_devices": [None],
            "allowed_functions": [":.*"],
            "forbidden_functions": [None],
        },
    }
}
"""Everything allowed to the ``primary`` group, the group every API key acts in by default."""

_LISTS = tuple(f"{verdict}_{kind}" for kind in KINDS for verdict in ("allowed", "forbidden"))


class PermissionsError(ValueError):
    """Permissions that are not in the ``user_group_permissions`` format."""


def check_permissions(permissions: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``permissions`` if well formed; raise ``PermissionsError`` naming the problem."""
    groups = permissions.get("user_groups") if isinstance(permissions, Mapping) else None
    if not isinstance(groups, Mapping) or not groups:
        raise PermissionsError("permissions need a non-empty 'user_groups' mapping")
    for group, rules in groups.items():
        if not isinstance(rules, Mapping):
            raise PermissionsError(f"user group {group!r}: expected a mapping of rule lists")
        for key in rules:
            if key not in _LISTS:
                raise PermissionsError(f"user group {group!r}: unknown rule {key!r}")
        for key in _LISTS:
            for pattern in rules.get(key) or []:
                _compile(group, key, pattern)
    return {"user_groups": {g: dict(r) for g, r in groups.items()}}


def _compile(group: str, key: str, pattern: Any) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    if not isinstance(pattern, str):
        raise PermissionsError(f"user group {group!r}, {key}: {pattern!r} is not a string")
    try:
        return re.compile(pattern[1:] if pattern.startswith(":") else re.escape(pattern))
    except re.error as error:
        raise PermissionsError(
            f"user group {group!r}, {key}: bad pattern {pattern!r}: {error}"
        ) from None


def _matches(patterns: Iterable[Any], name: str, *, none_means_all: bool) -> bool:
    for pattern in patterns:
        if pattern is None:
            if none_means_all:
                return True
            continue
        if pattern.startswith(":"):
            if re.search(pattern[1:], name):
                return True
        elif pattern == name:
            return True
    return False


def _allowed_by(rules: Mapping[str, Any], kind: str, name: str) -> bool:
    allowed = rules.get(f"allowed_{kind}") or []
    forbidden = rules.get(f"forbidden_{kind}") or []
    return _matches(allowed, name, none_means_all=True) and not _matches(
        forbidden, name, none_means_all=False
    )


def allowed_names(
    permissions: Mapping[str, Any], group: str, kind: str, names: Iterable[str]
) -> list[str]:
    """The ``names`` of ``kind`` (plans, devices, functions) that ``group`` may use, in order."""
    groups = permissions["user_groups"]
    if group not in groups:
        raise PermissionsError(f"unknown user group {group!r} (known: {', '.join(groups)})")
    rules = [groups[group]] + ([groups["root"]] if "root" in groups else [])
    return [n for n in names if all(_allowed_by(r, kind, n) for r in rules)]
