"""The newest camera frame, for live viewers: one slot, never a queue.

``LiveFrames.publish`` keeps a reference to the frame the camera hands its writer (no copy)
and wakes the viewers; a viewer asks for the newest frame after the one it last got, so a slow
viewer skips frames and nothing waits for it. Encoded messages are made once per frame and
format, on a worker thread, and shared by every viewer.
"""

from __future__ import annotations

import asyncio
import json
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._frame_formats import contrast_limits, encode
from ._frame_view import FrameView, reduce_frame

LIVE_FORMATS = ("raw", "jpeg", "webp")
"""How a viewer can ask for frames: raw 16-bit, or lossy 8-bit for slow links."""

FULL_VIEW = FrameView()
"""The whole frame at full resolution."""

_ON_LOOP_BYTES = 1 << 20
"""Raw frames up to this size are packed on the loop (a memcpy); larger ones on a thread."""


@dataclass
class LiveFrame:
    """One published frame: the array as the camera made it, and where it came from."""

    seq: int
    frame: NDArray[Any]
    channel: str
    timestamp: float
    pixel_size_um: float | None
    _messages: dict[tuple[str, FrameView], asyncio.Future[bytes | bytearray]] = field(
        default_factory=dict, repr=False
    )

    def header(self, encoding: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """The frame's description sent before its pixels."""
        return {
            "seq": self.seq,
            "shape": list(self.frame.shape),
            "dtype": "uint8" if encoding != "raw" else str(self.frame.dtype),
            "encoding": encoding,
            "timestamp": self.timestamp,
            "channel": self.channel,
            "pixel_size_um": self.pixel_size_um,
            **(extra or {}),
        }


def _header_bytes(header: dict[str, Any]) -> bytes:
    text = json.dumps(header).encode()
    text += b" " * (-(len(text) + 4) % 8)  # pixels start 8-byte aligned, for typed-array views
    return struct.pack("<I", len(text)) + text


def pack_frame(header: dict[str, Any], payload: bytes) -> bytes:
    """``uint32 header length | JSON header (padded to 8 bytes) | payload``."""
    return _header_bytes(header) + payload


def _pack_pixels(header: dict[str, Any], frame: NDArray[Any]) -> bytearray:
    """``pack_frame`` of a frame's pixels, copied once, straight into the message."""
    head = _header_bytes(header)
    message = bytearray(len(head) + frame.nbytes)
    message[: len(head)] = head
    np.frombuffer(message, frame.dtype.newbyteorder("<"), offset=len(head)).reshape(frame.shape)[
        ...
    ] = frame
    return message


def unpack_frame(message: bytes) -> tuple[dict[str, Any], memoryview]:
    """The header and the payload of a message made by ``pack_frame``."""
    (length,) = struct.unpack_from("<I", message)
    header = json.loads(message[4 : 4 + length])
    return header, memoryview(message)[4 + length :]


def _message(live: LiveFrame, fmt: str, view: FrameView) -> bytes | bytearray:
    """A live frame's ``view`` as a websocket message in ``fmt`` (CPU work: off the loop)."""
    pixels, where = live.frame, {}
    if live.frame.ndim == 2:  # (the region and binning of a whole frame: no copy)
        reduced = reduce_frame(live.frame, view)
        pixels = reduced.pixels
        where = {"binning": reduced.binning, "roi": list(reduced.roi)}
    extra = {"frame_shape": list(live.frame.shape), **where}
    if fmt == "raw":
        return _pack_pixels(live.header("raw", {"shape": list(pixels.shape), **extra}), pixels)
    lo, hi = contrast_limits(pixels)
    payload = encode(pixels, fmt, quality=75)
    header = live.header(fmt, {"shape": list(pixels.shape), "limits": [lo, hi], **extra})
    return pack_frame(header, payload)


class LiveFrames:
    """The newest frame of the live view or acquisition, and viewers waiting for the next."""

    def __init__(self) -> None:
        """Start with no frame."""
        self.seq = 0
        self.latest: LiveFrame | None = None
        self._arrived = asyncio.Event()

    def publish(
        self,
        frame: NDArray[Any],
        *,
        channel: str = "",
        pixel_size_um: float | None = None,
        timestamp: float | None = None,
    ) -> LiveFrame:
        """Make ``frame`` the newest (kept by reference: the caller must not change it)."""
        self.seq += 1
        now = time.time() if timestamp is None else timestamp
        self.latest = LiveFrame(self.seq, frame, channel, now, pixel_size_um)
        self._arrived.set()
        return self.latest

    async def next_after(self, seq: int) -> LiveFrame:
        """The newest frame once it is newer than ``seq``."""
        while self.latest is None or self.latest.seq <= seq:
            self._arrived.clear()
            await self._arrived.wait()
        return self.latest

    async def message(
        self, live: LiveFrame, fmt: str, view: FrameView = FULL_VIEW
    ) -> bytes | bytearray:
        """``live``'s ``view`` as a message in ``fmt``, made once however many viewers ask."""
        if fmt not in LIVE_FORMATS:
            raise ValueError(f"unknown live format {fmt!r} (formats: {', '.join(LIVE_FORMATS)})")
        pending = live._messages.get((fmt, view))
        if pending is None:
            # a task of its own: a viewer leaving mid-encode does not cancel it for the others
            pending = asyncio.ensure_future(_encoded(live, fmt, view))
            live._messages[fmt, view] = pending
        return await asyncio.shield(pending)


async def _encoded(live: LiveFrame, fmt: str, view: FrameView) -> bytes | bytearray:
    if fmt == "raw" and view == FULL_VIEW and live.frame.nbytes <= _ON_LOOP_BYTES:
        return _message(live, fmt, view)
    return await asyncio.to_thread(_message, live, fmt, view)
