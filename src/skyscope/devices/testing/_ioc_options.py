"""What the test IOC serves (prefixes, motors, camera, frame source), as command-line arguments.

The IOC runs in its own process; these options travel to it as its argument list, so the parent
(which never imports caproto) and the server agree on every PV name.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ._frames import DEFAULT_FRAME_SOURCE

DEFAULT_PREFIX = "SKYSCOPE:"


@dataclass(frozen=True)
class IocOptions:
    """The test IOC's configuration: motors ``<prefix><axis>``, a camera at ``camera_prefix``."""

    prefix: str = DEFAULT_PREFIX
    motors: tuple[str, ...] = ("x", "y", "z")
    camera_prefix: str | None = None
    """Where ``cam1:`` and ``image1:`` live; ``None`` uses ``prefix``; ``""`` means no camera."""
    frame_source: str = DEFAULT_FRAME_SOURCE
    frame_source_kwargs: Mapping[str, object] = field(default_factory=dict)

    def motor_prefix(self, axis: str) -> str:
        """The motor record name of ``axis`` (its fields are ``<name>.VAL``, ``<name>.RBV``…)."""
        if axis not in self.motors:
            raise KeyError(f"the test IOC has no motor {axis!r}; it has {list(self.motors)}")
        return f"{self.prefix}{axis}"

    @property
    def camera(self) -> str:
        """The camera's prefix (``<camera>cam1:Acquire``…), or ``""`` when there is no camera."""
        return self.prefix if self.camera_prefix is None else self.camera_prefix

    def to_argv(self) -> list[str]:
        """Spell the options as arguments for ``python -m skyscope.devices.testing._ioc_main``."""
        return [
            "--prefix", self.prefix,
            "--motors", ",".join(self.motors),
            "--camera-prefix", self.camera,
            "--frame-source", self.frame_source,
            "--frame-source-kwargs", json.dumps(dict(self.frame_source_kwargs)),
        ]  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the IOC's options to ``parser`` (for the IOC process and ``skyscope ioc``)."""
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="PV name prefix")
    parser.add_argument("--motors", default="x,y,z", help="comma-separated motor axes")
    parser.add_argument(
        "--camera-prefix", default=None, help="camera prefix (default: --prefix; '' for none)"
    )
    parser.add_argument(
        "--frame-source", default=DEFAULT_FRAME_SOURCE, help="'module:attribute' making frames"
    )
    parser.add_argument(
        "--frame-source-kwargs", default="{}", help="JSON keyword arguments for the frame source"
    )


def options_from(args: argparse.Namespace) -> IocOptions:
    """Build ``IocOptions`` from parsed arguments, refusing malformed ones clearly."""
    kwargs = json.loads(args.frame_source_kwargs)
    if not isinstance(kwargs, dict):
        raise ValueError(f"--frame-source-kwargs must be a JSON object, got {kwargs!r}")
    motors = tuple(axis for axis in args.motors.split(",") if axis)
    return IocOptions(args.prefix, motors, args.camera_prefix, args.frame_source, kwargs)


def parse_options(argv: Sequence[str]) -> IocOptions:
    """Parse the IOC process's argument list."""
    parser = argparse.ArgumentParser(description="skyscope's test IOC")
    add_arguments(parser)
    return options_from(parser.parse_args(argv))
