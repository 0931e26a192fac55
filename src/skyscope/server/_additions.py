"""skyscope's additions to bluesky-httpserver's API, gathered for the app to register.

The catalog (search, runs, streams, frames), live documents and live frames over websockets,
click-to-move, and the web page. Each keyed route carries its scope, so the app's route table
(and the test generated from it) covers them like the queue routes.
"""

from __future__ import annotations

from skyscope.broker import Catalog

from ._catalog_api import catalog_routes
from ._docs_ws import documents_route
from ._frames_ws import frames_route
from ._gate import Authorize, Gate, ScopedRoute
from ._live_docs import DocumentRing
from ._live_frames import LiveFrames
from ._manager import QueueServer
from ._stage_move import move_route
from ._web import web_routes


def skyscope_routes(
    authorize: Authorize,
    server: QueueServer,
    *,
    catalog: Catalog | None = None,
    live_frames: LiveFrames | None = None,
) -> list[ScopedRoute]:
    """Every route skyscope adds, checked by the app's ``authorize``.

    The live documents come from a ring subscribed to ``server``'s engine here; live frames
    from ``live_frames`` (a fresh, empty slot if none is given: no camera feeds it).
    """
    gate = Gate(authorize)
    ring = DocumentRing()
    server.engine.subscribe(ring)
    return [
        *catalog_routes(gate, catalog),
        documents_route(gate, ring, server),
        frames_route(gate, live_frames if live_frames is not None else LiveFrames()),
        move_route(gate, server),
        *web_routes(),
    ]
