"""``skyscope ioc``: serve the simulated motors and camera over Channel Access, on loopback.

It runs in the foreground until Ctrl-C, and prints the ``EPICS_CA_*`` variables a client must
export to find it and the PV names it serves, so the EPICS path can be tried with no hardware.
Needs caproto (``pip install 'skyscope[test]'``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from ..devices.testing import (
    IocOptions,
    add_arguments,
    client_env,
    free_port,
    is_port_free,
    options_from,
    server_env,
)

_FIELDS = ".VAL .RBV .DMOV .MOVN .STOP .VELO .ACCL .EGU .HLM .LLM .LVIO .PREC .DESC"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``ioc`` sub-command."""
    parser = subparsers.add_parser(
        "ioc",
        help="serve simulated motors and a camera over Channel Access (loopback only)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    add_arguments(parser)
    parser.add_argument(
        "--port", type=int, default=5064, help="UDP/TCP server port (0: any free one)"
    )
    parser.add_argument(
        "--beacon-port", type=int, default=None, help="beacon/repeater port (default: port+1)"
    )
    parser.set_defaults(handler=run_ioc)


def run_ioc(args: argparse.Namespace) -> int:
    """Serve the IOC in the foreground until interrupted; return the exit code."""
    try:
        from ..devices.testing.ioc import serve
    except ImportError as error:
        print(f"skyscope ioc needs caproto ({error}); pip install 'skyscope[test]'")
        return 2
    options = options_from(args)
    port = args.port or free_port()
    if not is_port_free(port):
        print(f"port {port} is in use on 127.0.0.1 (another IOC?); pass --port 0 for a free one")
        return 2
    beacon_port = args.beacon_port or port + 1
    os.environ.update(server_env(port, beacon_port))
    logging.getLogger("caproto.ctx").addFilter(_QuietBeacons(beacon_port))
    _print_setup(options, port, beacon_port)
    try:
        asyncio.run(serve(options, _print_pvs))
    except KeyboardInterrupt:
        print("stopped")
    return 0


class _QuietBeacons(logging.Filter):
    """Say once, in one line, that no CA repeater listens for the IOC's beacons yet.

    caproto logs a traceback for every beacon sent to a loopback port where nothing listens
    (until a client's repeater starts); clients find the IOC without beacons all the same.
    """

    def __init__(self, beacon_port: int) -> None:
        super().__init__()
        self.beacon_port = beacon_port
        self.said = False

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop beacon failures after turning the first into one line."""
        if not record.getMessage().startswith("Failed to send beacon"):
            return True
        if not self.said:
            self.said = True
            print(
                f"note: no CA repeater listens on 127.0.0.1:{self.beacon_port} for beacons yet "
                "(harmless: clients with the settings above connect anyway)",
                file=sys.stderr,
            )
        return False


def _print_setup(options: IocOptions, port: int, beacon_port: int) -> None:
    print(f"skyscope test IOC on 127.0.0.1:{port} (Ctrl-C to stop)")
    print("For a client to find it (and only it), export in the client's shell:")
    for key, value in client_env([port], beacon_port).items():
        print(f"  export {key}='{value}'")
    motors = " ".join(options.motor_prefix(axis) for axis in options.motors)
    print(f"Motor records (fields {_FIELDS}): {motors or '(none)'}")
    if options.camera:
        print(f"areaDetector camera: {options.camera}cam1:  frames: {options.camera}image1:")


def _print_pvs(pv_names: list[str]) -> None:
    print(f"Serving {len(pv_names)} PVs:")
    for name in pv_names:
        print(f"  {name}")
    print("ready", flush=True)
