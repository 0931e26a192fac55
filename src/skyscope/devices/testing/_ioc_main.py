"""The test IOC process: motors and a camera served by caproto on the configured loopback port.

Run as ``python -m skyscope.devices.testing._ioc_main [options]`` (``TestIOC`` does that) with the
loopback ``EPICS_CA*``/``EPICS_CAS*`` server variables set; it prints ``READY_LINE`` on stdout
once every PV is configured and the server is reachable.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import numpy as np
from caproto.asyncio.server import Context

from ._camera_ioc import CameraDriver, image_plugin_class
from ._frames import load_frame_source
from ._ioc_options import IocOptions, parse_options
from ._motor_record import MotorRecord

READY_LINE = "SKYSCOPE-IOC-READY"

Configure = Callable[[], Awaitable[None]]


def build_pvdb(options: IocOptions) -> tuple[dict[str, Any], Configure]:
    """Build the PV database and the coroutine function that configures it once serving."""
    motors = {axis: MotorRecord(options.motor_prefix(axis)) for axis in options.motors}
    groups: list[Any] = list(motors.values())
    camera: CameraDriver | None = None
    first_frame = None
    if options.camera:
        source = load_frame_source(options.frame_source, options.frame_source_kwargs)
        first_frame = np.asarray(source(0))
        if first_frame.ndim != 2:
            raise ValueError(f"frames must be 2-D images, the source gave {first_frame.shape}")
        plugin = image_plugin_class(first_frame)(f"{options.camera}image1:")
        camera = CameraDriver(
            f"{options.camera}cam1:", source=source, plugin=plugin, positions=readbacks(motors)
        )
        groups += [camera, plugin]

    async def configure() -> None:
        for motor in motors.values():
            await motor.configure()
        if camera is not None and first_frame is not None:
            await camera.configure(first_frame)

    pvdb: dict[str, Any] = {}
    for group in groups:
        pvdb.update(group.pvdb)
    return pvdb, configure


def readbacks(motors: Mapping[str, MotorRecord]) -> Callable[[], dict[str, float]]:
    """Return a function giving each motor's readback (``.RBV``) by axis, e.g. ``{"x": 1.5}``."""
    return lambda: {axis: float(motor.rbv.value) for axis, motor in motors.items()}


async def serve(options: IocOptions, on_ready: Callable[[list[str]], None]) -> None:
    """Serve the IOC until cancelled; call ``on_ready(pv_names)`` once it is reachable."""
    pvdb, configure = build_pvdb(options)

    async def startup(async_lib: object) -> None:
        await configure()
        on_ready(sorted(pvdb))

    await Context(pvdb).run(startup_hook=startup)


def _announce_ready(pv_names: list[str]) -> None:
    sys.stdout.write(f"{READY_LINE} {len(pv_names)} PVs\n")  # one write: the parent reads it whole
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the IOC process (see the module docstring)."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    options = parse_options(sys.argv[1:] if argv is None else argv)
    try:
        asyncio.run(serve(options, _announce_ready))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
