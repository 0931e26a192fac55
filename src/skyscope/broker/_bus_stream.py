"""Connecting to NATS and making sure the documents' JetStream stream exists.

nats-py is an optional extra (``skyscope[bus]``), imported only here and only when a bus is
used, so the catalog costs nothing to those who never run one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ._bus_errors import BusError
from ._bus_subjects import ALL_SUBJECTS, check_token

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js import JetStreamContext

logger = logging.getLogger(__name__)

DEFAULT_STREAM = "SKYSCOPE"
"""The stream every document is published to (subjects ``skyscope.>``)."""

DUPLICATE_WINDOW_S = 600.0
"""How long JetStream remembers message ids: a republish within it is dropped."""

RECONNECT_WAIT_S = 0.25
"""Pause between reconnection attempts while the server is unreachable."""


def import_nats() -> Any:
    """The ``nats`` package, or a clear error naming the extra that installs it."""
    try:
        import nats
    except ImportError:
        raise BusError("the document bus needs nats-py: pip install 'skyscope[bus]'") from None
    return nats


def check_url(url: str) -> str:
    """Refuse a URL that is not ``nats://`` (or ``tls://``) before any connection is tried."""
    if not isinstance(url, str) or not url.startswith(("nats://", "tls://")):
        raise BusError(f"a bus URL looks like nats://host:4222, not {url!r}")
    return url


async def connect(url: str, name: str) -> Client:
    """Connect to ``url``, reconnecting for ever after a lost connection (quietly)."""
    nats = import_nats()

    async def note(error: Exception) -> None:
        logger.debug("%s: %s: %s", name, url, error)

    client: Client = await nats.connect(
        url,
        name=name,
        allow_reconnect=True,
        max_reconnect_attempts=-1,
        reconnect_time_wait=RECONNECT_WAIT_S,
        connect_timeout=2,
        error_cb=note,
    )
    return client


async def ensure_stream(js: JetStreamContext, stream: str) -> None:
    """Create the documents' stream (file storage, dedup window) unless it exists."""
    check_token(stream, "stream name")
    from nats.js.api import StorageType, StreamConfig
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(stream)
        return
    except NotFoundError:
        pass
    config = StreamConfig(
        name=stream,
        subjects=[ALL_SUBJECTS],
        storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW_S,
    )
    await js.add_stream(config)
