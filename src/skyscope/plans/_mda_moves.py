"""Put the microscope where an MDA event wants it: stage, focus, channel and exposure.

Only what changed since the last event moves, all at once, then the plan waits for every part
— each within a time limit from its distance and the axis's speed (``Timeouts``). Targets are
checked against the axes' limits before the run starts (``check_targets``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..engine import Msg, Return
from ._mda_origin import FocusOrigin
from ._mda_timeouts import Timeouts
from ._scope_protocol import MicroscopeLike
from ._stubs import new_group

if TYPE_CHECKING:
    from useq import MDAEvent

# When neither the last target nor a readback says where an axis is (a move right after
# autofocus), its limit allows for this much travel.
_UNKNOWN_DISTANCE_UM = 10_000.0


@dataclass
class Where:
    """What the MDA last asked of the hardware, and the readbacks it last saw."""

    xy: tuple[float, float] | None = None
    z: float | None = None
    channel: str | None = None
    exposure_ms: float | None = None
    readback: dict[str, Any] = field(default_factory=dict)
    """x_um, y_um, z_um, channel and exposure_ms as last located."""
    focus_offsets: dict[int, float] = field(default_factory=dict)
    """Autofocus corrections (found minus planned z) per position index."""
    origin: FocusOrigin = field(default_factory=lambda: FocusOrigin(frozenset()))
    """Where useq's z counts from: the focus at the start for a relative plan with no z."""

    def forget_focus(self) -> None:
        """Autofocus moved the focus: the next frame must set it again."""
        self.z = None
        self.readback.clear()


def focus_target(event: MDAEvent, where: Where) -> float | None:
    """Return the z an event's frame is taken at: its plan's z plus the autofocus correction."""
    if event.z_pos is None:
        return None
    offset = where.focus_offsets.get(event.index.get("p", 0), 0.0)
    return float(event.z_pos) + where.origin.shift(event) + offset


def needs_move(event: MDAEvent, where: Where) -> bool:
    """Whether ``move_to`` (with the focus) would move or locate anything for ``event``."""
    if not where.readback:
        return True
    xy = _xy_target(event, where)
    if xy is not None and xy != where.xy:
        return True
    z = focus_target(event, where)
    if z is not None and z != where.z:
        return True
    channel = event.channel.config if event.channel is not None else None
    if channel is not None and channel != where.channel:
        return True
    return event.exposure is not None and event.exposure != where.exposure_ms


async def move_to(
    scope: MicroscopeLike,
    event: MDAEvent,
    where: Where,
    timeouts: Timeouts,
    *,
    focus: bool = True,
) -> AsyncGenerator[Any, Any]:
    """Move whatever ``event`` changes, together, each within its time limit; note readbacks."""
    group = new_group("mda-move")
    moved = False
    xy = _xy_target(event, where)
    if xy is not None and xy != where.xy:
        limit = timeouts.xy(_xy_start(where, xy), xy)
        yield Msg("set", scope.xy, xy, group=group, timeout=limit)
        where.xy, moved = xy, True
    z = focus_target(event, where) if focus else None
    if z is not None and z != where.z:
        start = where.z if where.z is not None else where.readback.get("z_um")
        limit = timeouts.focus(z + _UNKNOWN_DISTANCE_UM if start is None else float(start), z)
        yield Msg("set", scope.focus, z, group=group, timeout=limit)
        where.z, moved = z, True
    channel = event.channel.config if event.channel is not None else None
    if channel is not None and channel != where.channel:
        yield Msg("set", scope.filter_wheel, channel, group=group, timeout=timeouts.channel())
        where.channel, moved = channel, True
    if event.exposure is not None and event.exposure != where.exposure_ms:
        exposure_s = event.exposure / 1000.0
        yield Msg("set", scope.camera.exposure, exposure_s, group=group, timeout=timeouts.setting())
        where.exposure_ms, moved = event.exposure, True
    if moved:
        yield Msg("wait", None, group=group)
    if moved or not where.readback:
        where.readback = yield locate_all(scope)
    yield Return(where.readback)


def _xy_start(where: Where, target: tuple[float, float]) -> tuple[float, float]:
    """Where the XY stage starts from: its last target, else its readback, else far away."""
    if where.xy is not None:
        return where.xy
    x, y = where.readback.get("x_um"), where.readback.get("y_um")
    if x is None or y is None:
        return target[0] + _UNKNOWN_DISTANCE_UM, target[1] + _UNKNOWN_DISTANCE_UM
    return float(x), float(y)


def _xy_target(event: MDAEvent, where: Where) -> tuple[float, float] | None:
    if event.x_pos is None and event.y_pos is None:
        return None
    last = where.xy or (where.readback.get("x_um"), where.readback.get("y_um"))
    x = event.x_pos if event.x_pos is not None else last[0]
    y = event.y_pos if event.y_pos is not None else last[1]
    if x is None or y is None:
        return None  # one axis given and the other never located: resolved after a locate
    return float(x), float(y)


async def locate_all(scope: MicroscopeLike) -> AsyncGenerator[Any, Any]:
    """Locate the stage, focus, channel and exposure; return them as the frames record them."""
    xy = yield Msg("locate", scope.xy)
    z = yield Msg("locate", scope.focus)
    channel = yield Msg("locate", scope.filter_wheel)
    exposure = yield Msg("locate", scope.camera.exposure)
    x, y = xy["readback"]
    yield Return(
        {
            "x_um": float(x),
            "y_um": float(y),
            "z_um": float(z["readback"]),
            "channel": str(channel["readback"]),
            "exposure_ms": float(exposure["readback"]) * 1000.0,
        }
    )


async def check_targets(
    scope: MicroscopeLike, targets: Mapping[str, frozenset[float]], origin_z: float = 0.0
) -> AsyncGenerator[Any, Any]:
    """Refuse the run before anything moves if a planned x, y or z is outside an axis's limits.

    ``targets["dz"]`` are z positions counted from ``origin_z`` (the focus at the start).
    Each target is checked with a ``check_value`` message, so a dry run checks them too.
    """
    axes = {
        "x": getattr(scope.xy, "x", None),
        "y": getattr(scope.xy, "y", None),
        "z": scope.focus,
    }
    for axis, device in axes.items():
        if getattr(device, "check_value", None) is None:
            continue
        values = set(targets.get(axis, ()))
        if axis == "z":
            values.update(origin_z + dz for dz in targets.get("dz", ()))
        for value in sorted(values):
            try:
                yield Msg("check_value", device, float(value))
            except Exception as error:
                raise ValueError(f"the sequence moves {axis} to {value} µm: {error}") from error
    yield Return(None)
