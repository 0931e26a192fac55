"""``skyscope serve``: the queue server, speaking bluesky-httpserver's API, and ``skyscope keys``.

``skyscope serve`` opens the environment of ``--startup`` (a Python file or module defining
devices and plans; the simulated microscope and every skyscope plan by default), runs the
queue's plans on an engine writing to the catalog, keeps the queue beside the catalog, and
serves the API on 127.0.0.1:60610 unless told otherwise. Clients authenticate with API keys
(``skyscope keys create --role user``) or ``$SKYSCOPE_SINGLE_USER_API_KEY``. Needs the
``server`` extra: ``pip install 'skyscope[server]'``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import signal
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from skyscope import _paths

MISSING_SERVER = (
    "skyscope serve needs the server extra (Starlette, uvicorn), which is not installed: "
    "pip install 'skyscope[server]'"
)
KEYS_FILE = "api_keys.json"
QUEUE_FILE = "queue.json"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``skyscope serve`` and ``skyscope keys``."""
    parser = subparsers.add_parser(
        "serve", help="run the queue server (bluesky-httpserver's API)", description=__doc__
    )
    parser.add_argument(
        "--startup",
        default=None,
        metavar="FILE.py|MODULE",
        help="the devices and plans to serve (default: the simulated microscope)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=60610, help="port (default 60610; 0: any)")
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR")
    parser.add_argument(
        "--allow-script-upload",
        action="store_true",
        help="let admin keys run Python scripts in the server's process (off: any Python "
        "there can read the keys and the catalog and drive the hardware)",
    )
    parser.set_defaults(handler=run_serve, command="serve")

    keys = subparsers.add_parser("keys", help="API keys for the queue server")
    actions = keys.add_subparsers(title="actions", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="make a key and print it (shown only once)")
    create.add_argument("--role", required=True, choices=("observer", "user", "advanced", "admin"))
    create.add_argument("--name", default="", help="whose key it is")
    create.add_argument(
        "--expires-days", type=float, default=365.0, help="days until it expires (default 365)"
    )
    create.add_argument("--data-dir", type=Path, default=None, metavar="DIR")
    create.set_defaults(handler=run_keys_create, command="keys")


def _use_data_dir(data_dir: Path | None) -> None:
    if data_dir is not None:
        os.environ[_paths.DATA_DIR_ENV] = str(data_dir.absolute())


def _has_server_extra() -> bool:
    try:
        importlib.import_module("uvicorn")
        importlib.import_module("starlette")
    except ImportError:
        return False
    return True


def run_keys_create(args: argparse.Namespace) -> int:
    """Create a key, store its hash beside the catalog, print the key."""
    from skyscope.server import ApiKeyError, ApiKeys

    _use_data_dir(args.data_dir)
    try:
        key = ApiKeys(_paths.data_dir() / KEYS_FILE).create(
            args.role, name=args.name, expires_in_s=args.expires_days * 86400
        )
    except ApiKeyError as error:
        print(f"skyscope keys: {error}", file=sys.stderr)
        return 2
    print(key)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM."""
    if not _has_server_extra():
        print(MISSING_SERVER, file=sys.stderr)
        return 1
    _use_data_dir(args.data_dir)
    from skyscope.server import StartupError

    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(
                serve(
                    args.startup,
                    args.host,
                    args.port,
                    allow_script_upload=args.allow_script_upload,
                )
            )
    except StartupError as error:
        print(f"skyscope serve: {error}", file=sys.stderr)
        return 1
    return 0


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The loop of uvloop when it is installed (requests and pushes cost less), else None."""
    try:
        uvloop = importlib.import_module("uvloop")
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


async def sim_environment(live: Any = None) -> Any:
    """The simulated microscope's parts and every skyscope plan (the default environment).

    With ``live`` (a ``LiveFrames``), the camera's frames are shown to the web page's viewers
    on their way to the file, and the ``live_view`` plan is offered.
    """
    from skyscope import plans
    from skyscope.devices.sim import Microscope, SensorSpec
    from skyscope.server import Environment, FrameTap, live_view
    from skyscope.writers import FrameWriter, HDF5FrameWriter

    frames = _paths.runs_dir() / time.strftime("serve-%Y%m%d-%H%M%S")
    frames.mkdir(parents=True, exist_ok=True)
    writer: FrameWriter = HDF5FrameWriter(frames)
    if live is not None:
        writer = FrameTap(writer, live, pixel_size_um=lambda: scope.pixel_size_um)
    scope = Microscope(sensor=SensorSpec(shape=(512, 512)), writer=writer)
    await scope.connect()
    devices: dict[str, Any] = {
        "scope": scope,
        "camera": scope.camera,
        "xy": scope.xy,
        "x": scope.xy.x,
        "y": scope.xy.y,
        "focus": scope.focus,
        "objective": scope.objective,
        "filter_wheel": scope.filter_wheel,
        "light": scope.light,
        "shutter": scope.shutter,
    }
    found = {name: getattr(plans, name) for name in plans.__all__}
    served = {name: fn for name, fn in found.items() if plans.is_plan_function(fn)}
    if live is not None:
        served["live_view"] = live_view
    return Environment(devices=devices, plans=served)


async def serve(
    startup: str | None, host: str, port: int, *, allow_script_upload: bool = False
) -> None:
    """Open the catalog, the queue server and its API; serve until told to stop."""
    from skyscope.broker import Catalog, CatalogFeed
    from skyscope.engine import Engine
    from skyscope.server import (
        ApiKeys,
        HttpServer,
        LiveFrames,
        QueueServer,
        create_app,
        startup_factory,
        with_live_frames,
    )

    live = LiveFrames()
    opened = startup_factory(startup) if startup is not None else partial(sim_environment, live)
    factory = with_live_frames(opened, live)  # a startup's cameras show their frames live too
    catalog = Catalog()
    engine = Engine(handle_sigint=False)
    feed = CatalogFeed(catalog)  # one catalog thread for every run, not one started per run
    engine.subscribe(feed)
    server = QueueServer(
        factory,
        engine=engine,
        store_path=catalog.path.parent / QUEUE_FILE,
        allow_script_upload=allow_script_upload,
    )
    try:
        await server.start()
        if server.interrupted is not None:
            print(
                f"skyscope serve: item {server.interrupted['item_uid']} "
                f"({server.interrupted.get('name')}) was running when the server stopped; "
                "it is back at the front of the queue, marked interrupted",
                flush=True,
            )
        keys = await asyncio.to_thread(ApiKeys.from_environment, _paths.data_dir() / KEYS_FILE)
        app = create_app(server, keys, catalog=catalog, live_frames=live)
        http = HttpServer(app, host=host, port=port)
        await http.start()
        print(f"skyscope queue server listening on {http.url}", flush=True)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, http.request_stop)
        try:
            await http.serve_forever()
        finally:
            await http.stop()
    finally:
        await server.close()
        await asyncio.to_thread(_close_catalog, feed, catalog)


def _close_catalog(feed: Any, catalog: Any) -> None:
    """Let the feed hand over what it holds, then commit and close the catalog (blocking)."""
    feed.close()
    catalog.close()
