"""``POST /api/live/move_by``: click in the live image, the stage goes there.

The page sends the click's offset from the image centre in µm; the route moves the
environment's ``x`` and ``y`` devices by it, together (as one move of their XY stage when they
are its axes), and answers once they are there (or with the reason the move failed). It
works while a live view runs (that plan drives only the camera) but refuses while the running
item names ``x`` or ``y`` itself, so a click never fights an acquisition for the stage.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from skyscope.devices import StatusFailedError

from ._gate import Gate, ScopedRoute, bad_request
from ._manager import QueueServer

MOVE_BY = "/api/live/move_by"
MOVE_SCOPE = "write:execute"
AXES = ("x", "y")


async def _offsets(request: Request) -> dict[str, float] | Response:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return bad_request("the request body is not JSON")
    if not isinstance(body, dict):
        return bad_request("the request body must be a JSON object")
    offsets: dict[str, float] = {}
    for axis in AXES:
        value = body.get(f"d{axis}_um")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            return bad_request(f"'d{axis}_um' must be a finite number of µm, not {value!r}")
        offsets[axis] = float(value)
    unknown = sorted(set(body) - {f"d{a}_um" for a in AXES})
    if unknown:
        return bad_request(f"unknown parameters: {', '.join(unknown)} (known: dx_um, dy_um)")
    return offsets


def _busy_with_stage(server: QueueServer) -> bool:
    running = server.queue.running
    if running is None:
        return False
    named = json.dumps([running.get("args", []), running.get("kwargs", {})])
    return any(f'"{axis}"' in named for axis in AXES)


async def _move_by(server: QueueServer, offsets: dict[str, float]) -> dict[str, Any]:
    environment = server.environment
    if environment is None:
        raise LookupError("the environment is closed: open it first")
    missing = [a for a in AXES if a not in environment.devices]
    if missing:
        raise LookupError(f"the environment has no stage axis named {', '.join(missing)}")
    if _busy_with_stage(server):
        raise LookupError("the running plan drives the stage: wait for it, or stop it")
    axes: dict[str, Any] = {a: environment.devices[a] for a in AXES}
    targets = {}
    for axis, device in axes.items():
        where = await device.locate()
        targets[axis] = float(where["setpoint"]) + offsets[axis]
    stage = _xy_stage(axes["x"], axes["y"])
    if stage is not None:  # one move of both: an axis's own set() would supersede the other's
        await stage.set((targets["x"], targets["y"]))
    else:
        await asyncio.gather(*(axes[a].set(targets[a]) for a in AXES))
    return {"success": True, "msg": "", "position": targets}


def _xy_stage(x: Any, y: Any) -> Any:
    """The XY stage whose ``x`` and ``y`` these axes are (it moves both: ``set((x, y))``)."""
    stage = getattr(x, "parent", None)
    if stage is None or getattr(y, "parent", None) is not stage:
        return None
    if getattr(stage, "x", None) is not x or getattr(stage, "y", None) is not y:
        return None
    return stage if callable(getattr(stage, "set", None)) else None


def move_route(gate: Gate, server: QueueServer) -> ScopedRoute:
    """The click-to-move route, behind ``write:execute``."""

    async def move_by(request: Request) -> Response:
        principal = gate.check(request, MOVE_SCOPE)
        if isinstance(principal, Response):
            return principal
        offsets = await _offsets(request)
        if isinstance(offsets, Response):
            return offsets
        try:
            return JSONResponse(await _move_by(server, offsets))
        except (LookupError, ValueError, StatusFailedError) as error:
            return JSONResponse({"success": False, "msg": str(error)})

    return ScopedRoute(Route(MOVE_BY, move_by, methods=["POST"]), "POST", MOVE_BY, MOVE_SCOPE)
