"""``skyscope shell``: IPython with ``await`` at the prompt and a microscope ready.

The namespace holds ``engine`` (subscribed to the ``catalog``), ``scope`` (connected), ``useq``
and the plans, so ``await engine(count([scope.camera], 5))`` works at once. The event loop
keeps running between prompts (IPython's asyncio integration: the prompt itself runs on the
loop), so ``h = engine.start(live(scope.camera, view))`` goes on while you type, and the
bottom toolbar shows the plan's state and progress. ``scope`` is the simulated microscope, or
with ``--mm CONFIG.cfg`` the Micro-Manager microscope that configuration file describes
(through pymmcore-plus: ``pip install 'skyscope[mm]'``). IPython is an optional extra:
``pip install 'skyscope[shell]'``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import os
import signal
from pathlib import Path
from typing import Any

from skyscope import _paths, plans
from skyscope.broker import Catalog
from skyscope.devices.sim import Microscope, SensorSpec
from skyscope.engine import Engine, EngineState

from ._shell_hints import install_hints

STATUS_REFRESH_S = 0.5
"""How often the bottom toolbar redraws while the prompt waits."""

BANNER = """skyscope shell: `await` works at the prompt.
  scope    the {microscope} (connected): scope.camera, scope.xy, scope.focus, ...
  engine   runs plans, every run goes to `catalog`:  await engine(count([scope.camera], 5))
           or in the background, while you type:  h = engine.start(mda(seq, scope))
           then h.progress, h.pause(), h.resume(), h.stop(), await h
  catalog  the runs: catalog[-1], catalog[-1]["primary"].read()
  useq, mda, autofocus, tile_scan, live, LiveView, count, scan, mv, ...  (skyscope.plans)
"""

MISSING_PYMMCORE = (
    "skyscope shell --mm needs pymmcore-plus, which is not installed: "
    "pip install 'skyscope[mm]' (or pip install pymmcore-plus)"
)

MISSING_IPYTHON = (
    "skyscope shell needs IPython, which is not installed: pip install 'skyscope[shell]' "
    "(or pip install ipython)"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``skyscope shell``."""
    parser = subparsers.add_parser(
        "shell",
        help="IPython with an engine, the catalog and a simulated microscope",
        description=__doc__,
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, metavar="DIR", help="use this data directory"
    )
    parser.add_argument(
        "--mm",
        type=Path,
        default=None,
        metavar="CONFIG.cfg",
        help="drive the Micro-Manager microscope of this configuration file (pymmcore-plus)",
    )
    parser.set_defaults(handler=run_shell, command="shell")


async def build_namespace(seed: int = 0, mm_config: Path | None = None) -> dict[str, Any]:
    """Return the shell's names: a connected microscope, an engine writing to the catalog…

    With ``mm_config`` the microscope is the Micro-Manager one of that ``.cfg`` file.
    """
    scope: Any
    if mm_config is None:
        scope = Microscope(seed=seed, sensor=SensorSpec(shape=(512, 512)))
        await scope.connect()
    else:
        from skyscope.devices.mm import build_microscope

        scope = await build_microscope(mm_config)
    catalog = Catalog()
    engine = Engine()
    engine.subscribe(catalog)
    namespace: dict[str, Any] = {name: getattr(plans, name) for name in plans.__all__}
    namespace.update(scope=scope, engine=engine, catalog=catalog, asyncio=asyncio)
    try:
        import useq

        namespace["useq"] = useq
    except ImportError:  # pragma: no cover - useq is a dependency of the MDA
        pass
    return namespace


def run_shell(args: argparse.Namespace) -> int:
    """Start IPython with the namespace, its loop running between prompts as in cells."""
    if args.mm is not None and not _has_pymmcore_plus():
        print(MISSING_PYMMCORE)
        return 1
    try:  # imported by name: IPython is optional, and untyped for mypy when absent
        ipapp = importlib.import_module("IPython.terminal.ipapp")
        helpers = importlib.import_module("IPython.core.async_helpers")
        traitlets = importlib.import_module("traitlets.config")
    except ImportError:
        print(MISSING_IPYTHON)
        return 1
    if args.data_dir is not None:
        os.environ[_paths.DATA_DIR_ENV] = str(args.data_dir.absolute())
    loop = helpers.get_asyncio_loop()
    asyncio.set_event_loop(loop)  # plain cells: ensure_future and engine.start find it
    namespace = loop.run_until_complete(build_namespace(mm_config=args.mm))
    catalog, scope = namespace["catalog"], namespace["scope"]  # IPython empties the namespace
    app = ipapp.TerminalIPythonApp.instance(config=shell_config(traitlets, args.mm))
    try:
        app.initialize(argv=[])
        app.shell.user_ns.update(namespace)
        install_status_bar(app.shell, namespace["engine"])
        install_hints(app.shell)
        engine = namespace["engine"]
        app.shell.events.register("pre_run_cell", lambda _info: ctrl_c_for_cell(engine))
        app.start()
    finally:
        catalog.close()
        loop.run_until_complete(close_scope(scope))
        asyncio.set_event_loop(None)
    return 0


def shell_config(traitlets: Any, mm_config: Path | None) -> Any:
    """IPython's configuration: autoawait on the loop, which also runs the prompt."""
    config = traitlets.Config()
    config.InteractiveShell.autoawait = True
    config.InteractiveShell.loop_runner = "asyncio"
    config.InteractiveShellApp.gui = "asyncio"
    config.TerminalIPythonApp.display_banner = True
    config.TerminalInteractiveShell.banner2 = banner(mm_config)
    return config


def ctrl_c_for_cell(engine: Engine) -> None:
    """Before a cell: Ctrl-C pauses the plan under way, or else raises KeyboardInterrupt.

    The prompt, running on the loop, takes SIGINT over and leaves it ignored when done; a
    plan started in the background would otherwise not pause, nor a plain cell stop.
    """
    if engine.state is EngineState.IDLE or engine.state is EngineState.PAUSED:
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    else:
        engine.take_sigint()


def install_status_bar(shell: Any, engine: Engine) -> None:
    """Show the engine's state and the started plan's progress in the prompt's bottom bar.

    prompt_toolkit redraws it every half second while the prompt waits, below the input line,
    so it never garbles what the user types; a shell without prompt_toolkit gets none.
    """
    session = getattr(shell, "pt_app", None)
    if session is None:
        return
    session.bottom_toolbar = lambda: status_line(engine)
    session.refresh_interval = STATUS_REFRESH_S


def status_line(engine: Engine) -> str:
    """One line for the toolbar: the started plan, its state and progress, or the idle engine."""
    handle = engine.handle
    if handle is not None and (not handle.done() or engine.state is EngineState.IDLE):
        return f" {handle.summary()}"
    return f" engine {engine.state.value}"


def _has_pymmcore_plus() -> bool:
    try:
        importlib.import_module("pymmcore_plus")
    except ImportError:
        return False
    return True


def banner(mm_config: Path | None) -> str:
    """Return the shell's banner for the simulated or the Micro-Manager microscope."""
    if mm_config is None:
        return BANNER.format(microscope="simulated microscope")
    return BANNER.format(microscope=f"Micro-Manager microscope of {mm_config.name}")


async def close_scope(scope: Any) -> None:
    """Release a Micro-Manager microscope's core (its devices unloaded before exit)."""
    close = getattr(scope, "close", None)
    if close is not None:
        await close()
        gc.collect()
