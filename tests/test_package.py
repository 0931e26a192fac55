"""The package's public surface: every subpackage imports and lists what it exports."""

from __future__ import annotations

import asyncio
import importlib

import pytest

import skyscope

PACKAGES = [
    "documents",
    "engine",
    "devices",
    "devices.epics",
    "devices.sim",
    "devices.testing",
    "writers",
    "exporters",
    "broker",
    "plans",
]


def test_version_is_exported() -> None:
    assert skyscope.__version__.count(".") == 2


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(f"skyscope.{name}")
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"skyscope.{name}.__all__ names missing attributes: {missing}"


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_complete(name: str) -> None:
    module = importlib.import_module(f"skyscope.{name}")
    public = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_")
        and getattr(v, "__module__", "").startswith("skyscope")
        and not isinstance(v, type(importlib))
    }
    unlisted = public - set(module.__all__)
    assert not unlisted, f"public but not in __all__: {unlisted}"


def test_a_public_name_means_one_thing_across_packages() -> None:
    # StreamAsset, FrameSource, Frame, Hints once meant different things in different packages.
    meanings: dict[str, dict[int, str]] = {}
    for name in PACKAGES:
        module = importlib.import_module(f"skyscope.{name}")
        for public in module.__all__:
            meanings.setdefault(public, {}).setdefault(id(getattr(module, public)), name)
    clashes = {n: sorted(where.values()) for n, where in meanings.items() if len(where) > 1}
    assert not clashes, f"one name, different things: {clashes}"


def test_cli_without_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    from skyscope.cli import main

    assert main([]) == 2
    assert "usage: skyscope" in capsys.readouterr().out


async def test_leak_guard_sees_tasks() -> None:
    # The autouse guard lets a task that finishes in time pass; this checks the loop is shared.
    task = asyncio.create_task(asyncio.sleep(0.01))
    await task
