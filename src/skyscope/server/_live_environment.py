"""Live frames from any environment the server opens: its cameras tapped, ``live_view`` offered.

``skyscope serve --startup profile.py`` builds its cameras with the writers the profile chose;
``with_live_frames`` wraps the environment factory so that, once the startup is open, every
camera that writes frames gets a ``FrameTap`` around its writer (publishing to the server's
``LiveFrames``) and the ``live_view`` plan is offered. A camera already tapped is left alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from ._environment import Environment
from ._frame_tap import FrameTap
from ._live_frames import LiveFrames
from ._live_view import live_view


def _pixel_size(camera: object, around: list[object]) -> Callable[[], float] | None:
    """The pixel size of the microscope ``camera`` belongs to, if one ``around`` says it."""
    for scope in around:
        if getattr(scope, "camera", None) is camera and hasattr(scope, "pixel_size_um"):
            return lambda: float(scope.pixel_size_um)
    return None


def _writes_frames(device: object) -> bool:
    writer = getattr(type(device), "writer", None)
    return isinstance(writer, property) and getattr(device, "writer", None) is not None


def tap_cameras(
    devices: Mapping[str, object], live: LiveFrames, namespace: Mapping[str, object] | None = None
) -> list[str]:
    """Put a ``FrameTap`` to ``live`` around each camera's writer; the names of those tapped.

    The pixel size comes from the microscope the camera belongs to, among the devices or the
    startup's ``namespace``.
    """
    around = [*devices.values(), *(namespace or {}).values()]
    tapped: list[str] = []
    seen: set[int] = set()
    for name, device in devices.items():
        if id(device) in seen or not _writes_frames(device):
            continue
        seen.add(id(device))
        writer = device.writer  # type: ignore[attr-defined]
        if isinstance(writer, FrameTap):
            continue
        if getattr(type(device), "writer").fset is None:  # noqa: B009 (a property's setter)
            raise TypeError(
                f"camera {name!r} ({type(device).__name__}) cannot have its writer replaced, "
                "so its frames cannot be shown live: build it with writer=FrameTap(writer, live)"
            )
        device.writer = FrameTap(writer, live, pixel_size_um=_pixel_size(device, around))  # type: ignore[attr-defined]
        tapped.append(name)
    return tapped


def with_live_frames(
    factory: Callable[[], Awaitable[Environment]], live: LiveFrames
) -> Callable[[], Awaitable[Environment]]:
    """``factory``, its environment's cameras tapped to ``live`` and ``live_view`` offered."""

    async def open_environment() -> Environment:
        environment = await factory()
        tap_cameras(environment.devices, live, environment.namespace)
        cameras = environment.devices.values()
        if any(isinstance(getattr(camera, "writer", None), FrameTap) for camera in cameras):
            environment.plans.setdefault("live_view", live_view)
            environment.namespace.setdefault("live_view", live_view)
        return environment

    return open_environment
