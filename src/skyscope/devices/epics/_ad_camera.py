"""``AdCamera``: an areaDetector-compatible camera, frames read through the image plugin.

``trigger()`` takes one frame (Single mode, ``Acquire`` with put-completion) and ``read()``
returns it inline as a 2-D array: fine for small, interactive images. ``stream(n)`` takes ``n``
frames (Multiple mode) and yields each as it arrives, through a monitor on ``image1:ArrayData``
that drops none (every update is delivered, none merged).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import numpy.typing as npt

from ...documents import DataKey, Reading
from .._readable import Kind, StandardReadable
from .._status import Status
from ._ad_parts import AdDriver, AdImagePlugin, ImageMode, as_image, pixel_dtype

_Image = npt.NDArray[Any]


class AdCamera(StandardReadable):
    """A camera at ``<prefix>cam1:`` with its frames on ``<prefix>image1:``."""

    def __init__(
        self, prefix: str, name: str = "", *, driver: str = "cam1:", plugin: str = "image1:"
    ) -> None:
        """Talk to the driver ``<prefix><driver>`` and the image plugin ``<prefix><plugin>``."""
        self.driver = AdDriver(f"{prefix}{driver}")
        self.plugin = AdImagePlugin(f"{prefix}{plugin}")
        self.add_readables([self.driver.array_counter], Kind.NORMAL)
        self.add_readables([self.driver.acquire_time, self.driver.acquire_period], Kind.CONFIG)
        self._last_frame: Reading[_Image] | None = None
        super().__init__(name)

    @property
    def image_key(self) -> str:
        """The data key of the frame in ``read()`` and ``describe()`` (``<name>-image``)."""
        return f"{self.name}-image"

    def trigger(self) -> Status[None]:
        """Take one frame; the status is done when it has been read from the image plugin."""
        return Status(self._take_one_frame(), name=self.name, action="trigger()")

    async def _take_one_frame(self) -> None:
        await asyncio.gather(
            self.driver.image_mode.set(ImageMode.SINGLE), self.driver.num_images.set(1)
        )
        await self.driver.acquire.set(True, timeout=None)
        self._last_frame = await self._fetch_frame()

    async def _geometry(self) -> tuple[int, int, str]:
        width, height, data_type = await asyncio.gather(
            self.plugin.array_size0.get_value(),
            self.plugin.array_size1.get_value(),
            self.plugin.data_type.get_value(),
        )
        return width, height, data_type

    async def _fetch_frame(self) -> Reading[_Image]:
        reading, (width, height, data_type) = await asyncio.gather(
            self.plugin.array_data.backend.get_reading(), self._geometry()
        )
        image = as_image(reading["value"], width, height, data_type)
        return {**reading, "value": image}

    async def read(self) -> dict[str, Reading[Any]]:
        """Return the last triggered frame (``<name>-image``) and the frame counter."""
        frame = self._last_frame if self._last_frame is not None else await self._fetch_frame()
        return {self.image_key: frame, **await super().read()}

    async def describe(self) -> dict[str, DataKey]:
        """Describe the frame as a ``(height, width)`` array of the camera's pixel type."""
        width, height, data_type = await self._geometry()
        image: DataKey = {
            "source": self.plugin.array_data.source,
            "dtype": "array",
            "shape": [height, width],
            "dtype_numpy": pixel_dtype(data_type).str,
        }
        return {self.image_key: image, **await super().describe()}

    def stage(self) -> Status[None]:
        """Stop any acquisition and make sure frames reach the image plugin."""
        return Status(self._prepare(), name=self.name, action="stage()")

    async def _prepare(self) -> None:
        await self.driver.acquire.set(False)
        await asyncio.gather(
            self.driver.array_callbacks.set(True), self.plugin.enable_callbacks.set(True)
        )
        self._last_frame = None

    def unstage(self) -> Status[None]:
        """Stop any acquisition."""
        return Status(self.driver.acquire.set(False), name=self.name, action="unstage()")

    async def stream(self, count: int, *, frame_timeout: float = 10.0) -> AsyncIterator[_Image]:
        """Take ``count`` frames (Multiple mode) and yield each as it arrives, in order.

        Raise if a frame does not come within ``frame_timeout`` seconds or the acquisition
        fails; stopping early (leaving the loop) stops the camera.
        """
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        width, height, data_type = await self._geometry()
        arrivals: asyncio.Queue[_Image] = asyncio.Queue()
        self.plugin.array_data.subscribe_value(arrivals.put_nowait)
        acquisition: asyncio.Future[None] | None = None
        try:
            await asyncio.wait_for(arrivals.get(), frame_timeout)  # the frame already there
            await asyncio.gather(
                self.driver.image_mode.set(ImageMode.MULTIPLE), self.driver.num_images.set(count)
            )
            acquisition = asyncio.ensure_future(_acquire(self))
            for _ in range(count):
                flat = await _next_frame(arrivals, acquisition, frame_timeout, self.name)
                yield as_image(flat, width, height, data_type)
            await acquisition
        finally:
            self.plugin.array_data.clear_sub(arrivals.put_nowait)
            if acquisition is not None and not acquisition.done():
                await self.driver.acquire.set(False)
                await _settled(acquisition)


async def _acquire(camera: AdCamera) -> None:
    await camera.driver.acquire.set(True, timeout=None)


async def _next_frame(
    arrivals: asyncio.Queue[_Image], acquisition: asyncio.Future[None], timeout: float, name: str
) -> _Image:
    """Return the next frame; fail at once if the acquisition failed, or after ``timeout``."""
    arrival = asyncio.ensure_future(arrivals.get())
    either: set[asyncio.Future[Any]] = {arrival, acquisition}
    try:
        async with asyncio.timeout(timeout):
            while not arrival.done():
                await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
                if acquisition.done() and acquisition.exception() is not None:
                    acquisition.result()
                either = {arrival}
    except TimeoutError:
        raise TimeoutError(f"{name}: no frame arrived within {timeout:g} s") from None
    finally:
        await _settled(arrival, cancel=True)
    return arrival.result()


async def _settled(future: asyncio.Future[Any], cancel: bool = False) -> None:
    """Wait for ``future`` to end (cancelling it first if asked), ignoring how it ended."""
    if cancel and not future.done():
        future.cancel()
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await future
