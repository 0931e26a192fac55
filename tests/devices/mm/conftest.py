"""Micro-Manager test cores: ``UniMMCore`` loaded with skyscope's pure-Python demo devices.

Micro-Manager's compiled device adapters cannot be downloaded here, so every core runs the demo
camera, XY stage, focus stage, filter wheel, objective turret and shutter of
``skyscope.devices.mm.demo``. Each core is unloaded and collected at teardown: a ``UniMMCore``
left holding Python devices can abort the interpreter when it is torn down at exit.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from _mm_helpers import RigFactory, ScopeFactory

from skyscope.devices.mm import MMMicroscope, build_microscope
from skyscope.devices.mm.demo import DemoRig, demo_rig
from skyscope.engine import Engine

# No Micro-Manager installation here: pymmcore-plus logs an error about it at every new core.
logging.getLogger("pymmcore-plus").setLevel(logging.CRITICAL)


@pytest.fixture
def rig_factory() -> Iterator[RigFactory]:
    """Make demo rigs (options as ``demo_rig``); every one is closed afterwards."""
    rigs: list[DemoRig] = []

    def make(**options: Any) -> DemoRig:
        rig = demo_rig(**options)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        rig.close()
    rigs.clear()
    gc.collect()


@pytest.fixture
def rig(rig_factory: RigFactory) -> DemoRig:
    """A demo rig with instant moves and switches, 64x64 frames."""
    return rig_factory()


@pytest.fixture
async def scope_factory(rig_factory: RigFactory) -> AsyncIterator[ScopeFactory]:
    """Build microscopes over new demo rigs (``rig`` options, then ``build_microscope`` ones)."""
    scopes: list[MMMicroscope] = []

    async def make(
        rig_options: dict[str, Any] | None = None, **options: Any
    ) -> tuple[MMMicroscope, DemoRig]:
        made = rig_factory(**(rig_options or {}))
        scope = await build_microscope(made.core, **options)
        scopes.append(scope)
        return scope, made

    yield make
    for scope in scopes:
        await scope.close()


@pytest.fixture
async def scope(rig: DemoRig) -> AsyncIterator[MMMicroscope]:
    """The microscope of the ``rig``, frames inline."""
    built = await build_microscope(rig.core)
    yield built
    await built.close()


@pytest.fixture
def documents() -> list[tuple[str, Any]]:
    """Every document the ``engine`` emits."""
    return []


@pytest.fixture
async def engine(documents: list[tuple[str, Any]]) -> AsyncIterator[Engine]:
    """A fresh engine recording its documents; a plan left paused is aborted afterwards."""
    eng = Engine(md={}, handle_sigint=False)
    eng.subscribe(lambda name, doc: documents.append((name, doc)))
    yield eng
    if eng.state == "paused":
        await eng.abort("the test ended with the plan paused")
