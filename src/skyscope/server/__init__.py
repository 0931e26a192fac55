"""skyscope.server: a queue server on the engine's own loop, speaking bluesky-httpserver's API.

Needs the ``server`` extra (Starlette, uvicorn): ``pip install 'skyscope[server]'``.
"""

from ._app import REFUSALS, create_app, route_table
from ._client import QueueClient, QueueRequestError
from ._console import ConsoleOutput
from ._environment import (
    Environment,
    StartupError,
    describe_device,
    environment_from_namespace,
    is_device,
    load_startup,
    startup_factory,
)
from ._frame_tap import FrameTap
from ._http import DEFAULT_HOST, DEFAULT_PORT, HttpServer
from ._items import ItemError, new_item, resolve_plan
from ._keys import ROLES, SINGLE_USER_ENV, ApiKeyError, ApiKeys, Principal
from ._live_docs import DocumentRing
from ._live_environment import tap_cameras, with_live_frames
from ._live_frames import LIVE_FORMATS, LiveFrame, LiveFrames, pack_frame, unpack_frame
from ._live_view import live_view
from ._lock import EMERGENCY_KEY_ENV, LockError, ManagerLock
from ._manager import EnvironmentFactory, QueueError, QueueServer
from ._permissions import DEFAULT_PERMISSIONS, PermissionsError, allowed_names, check_permissions
from ._plan_queue import PlanQueue
from ._routes import ROUTES, STREAMS, Route, Stream
from ._status import StatusFeed
from ._store import QueueStore

__all__ = [
    # the server
    "QueueServer",
    "QueueError",
    "PlanQueue",
    "QueueStore",
    "StatusFeed",
    "ConsoleOutput",
    "ManagerLock",
    "LockError",
    "EMERGENCY_KEY_ENV",
    # the HTTP and WebSocket API
    "create_app",
    "route_table",
    "ROUTES",
    "Route",
    "STREAMS",
    "Stream",
    "REFUSALS",
    "HttpServer",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "QueueClient",
    "QueueRequestError",
    # live frames and documents, the page's live view
    "LiveFrames",
    "LiveFrame",
    "FrameTap",
    "live_view",
    "tap_cameras",
    "with_live_frames",
    "DocumentRing",
    "LIVE_FORMATS",
    "pack_frame",
    "unpack_frame",
    # API keys
    "ApiKeys",
    "ApiKeyError",
    "Principal",
    "ROLES",
    "SINGLE_USER_ENV",
    # the environment
    "Environment",
    "EnvironmentFactory",
    "StartupError",
    "environment_from_namespace",
    "startup_factory",
    "load_startup",
    "describe_device",
    "is_device",
    # items and permissions
    "ItemError",
    "new_item",
    "resolve_plan",
    "DEFAULT_PERMISSIONS",
    "PermissionsError",
    "check_permissions",
    "allowed_names",
]
