"""What an object can do, as duck-typed protocols with bluesky's method names and signatures.

The engine asks ``isinstance(obj, Triggerable)`` and so on to decide how to drive an object, so
ophyd, ophyd-async and skyscope devices all work; skyscope's devices satisfy bluesky's own
``bluesky.protocols`` too. Only method *presence* is checked at runtime (``runtime_checkable``);
mypy checks the signatures.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, Literal, Protocol, TypeAlias, TypedDict, TypeVar, runtime_checkable

from ..documents import DataKey, Reading, StreamAsset

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

SyncOrAsync: TypeAlias = T | Awaitable[T]
"""A method may return its result directly or as something to await."""
SyncOrAsyncIterator: TypeAlias = Iterator[T] | AsyncIterator[T]
"""A method may return a plain or an async iterator."""


class Location(TypedDict, Generic[T]):
    """Where a movable was asked to go (``setpoint``) and where it is (``readback``)."""

    setpoint: T
    readback: T


class Hints(TypedDict, total=False):
    """Suggestions for plotting: the interesting ``fields`` and how they span ``dimensions``."""

    fields: list[str]
    dimensions: list[tuple[list[str], str]]
    gridding: Literal["rectilinear", "rectilinear_nonsequential"]


@runtime_checkable
class StatusProtocol(Protocol):
    """bluesky's ``Status``: a handle on an operation that finishes later, maybe with an error."""

    @abstractmethod
    def add_callback(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(status)`` when done (at once if already done)."""

    @abstractmethod
    def exception(self, timeout: float | None = 0.0) -> BaseException | None:
        """Return the error the operation failed with, or ``None``."""

    @property
    @abstractmethod
    def done(self) -> bool:
        """Whether the operation has finished."""

    @property
    @abstractmethod
    def success(self) -> bool:
        """Whether it finished without an error."""


@runtime_checkable
class Watchable(Protocol):
    """A status that reports progress to ``watch`` callbacks (keyword arguments)."""

    @abstractmethod
    def watch(self, watcher: Callable[..., Any]) -> None:
        """Call ``watcher(name=…, current=…, target=…, fraction=…)`` on each update."""


@runtime_checkable
class HasName(Protocol):
    """Has a ``name``: the prefix of its data keys."""

    @property
    @abstractmethod
    def name(self) -> str:
        """The object's name."""


@runtime_checkable
class HasParent(Protocol):
    """Knows the device it belongs to (``None`` at the top), so it is staged only once."""

    @property
    @abstractmethod
    def parent(self) -> Any | None:
        """The parent device, or ``None``."""


@runtime_checkable
class Readable(HasName, Protocol[T]):
    """Produces readings (``read``) described by data keys (``describe``)."""

    @abstractmethod
    def read(self) -> SyncOrAsync[dict[str, Reading[T]]]:
        """Return ``{key: {"value", "timestamp"}}``."""

    @abstractmethod
    def describe(self) -> SyncOrAsync[dict[str, DataKey]]:
        """Return ``{key: DataKey}`` with the same keys as ``read``."""


@runtime_checkable
class Configurable(Protocol[T]):
    """Has slow-changing configuration read once per run."""

    @abstractmethod
    def read_configuration(self) -> SyncOrAsync[dict[str, Reading[T]]]:
        """Like ``read``, for configuration."""

    @abstractmethod
    def describe_configuration(self) -> SyncOrAsync[dict[str, DataKey]]:
        """Like ``describe``, for configuration."""


@runtime_checkable
class Triggerable(Protocol):
    """Acquires on request."""

    @abstractmethod
    def trigger(self) -> StatusProtocol:
        """Start acquiring; the status is done when the data can be read."""


@runtime_checkable
class Movable(Protocol[T_contra]):
    """Can be set to a value (moved)."""

    @abstractmethod
    def set(self, value: T_contra, /) -> StatusProtocol:
        """Start moving to ``value``; the status is done when it gets there."""


@runtime_checkable
class Locatable(Movable[T], Protocol):
    """A movable that knows its setpoint and readback."""

    @abstractmethod
    def locate(self) -> SyncOrAsync[Location[T]]:
        """Return where it was asked to go and where it is."""


@runtime_checkable
class Stageable(Protocol):
    """Needs setting up before a run and cleaning up after it."""

    @abstractmethod
    def stage(self) -> StatusProtocol | list[Any]:
        """Set up for acquisition."""

    @abstractmethod
    def unstage(self) -> StatusProtocol | list[Any]:
        """Clean up after acquisition."""


@runtime_checkable
class Preparable(Protocol):
    """Is prepared with parameters before a step or fly scan."""

    @abstractmethod
    def prepare(self, value: Any, /) -> StatusProtocol:
        """Get ready for a scan with ``value``."""


@runtime_checkable
class Flyable(HasName, Protocol):
    """Acquires on its own once kicked off (a fly scan)."""

    @abstractmethod
    def kickoff(self) -> StatusProtocol:
        """Start acquiring; done when acquisition has begun."""

    @abstractmethod
    def complete(self) -> StatusProtocol:
        """Return a status done when acquisition has finished."""


@runtime_checkable
class Collectable(HasName, Protocol):
    """Has data to collect after flying, described per stream."""

    @abstractmethod
    def describe_collect(self) -> SyncOrAsync[dict[str, DataKey] | dict[str, dict[str, DataKey]]]:
        """Describe what ``collect`` (or the stream assets) will produce."""


@runtime_checkable
class WritesStreamAssets(Protocol):
    """Writes data to files and describes them with stream resources and datums."""

    @abstractmethod
    def collect_asset_docs(self, index: int | None = None) -> SyncOrAsyncIterator[StreamAsset]:
        """Yield the stream documents for data written up to ``index``."""

    @abstractmethod
    def get_index(self) -> SyncOrAsync[int]:
        """Return how many frames (indices) have been written."""


@runtime_checkable
class Pausable(Protocol):
    """Does something when the run pauses and resumes."""

    @abstractmethod
    def pause(self) -> SyncOrAsync[None]:
        """Get safe for a pause."""

    @abstractmethod
    def resume(self) -> SyncOrAsync[None]:
        """Carry on after a pause."""


@runtime_checkable
class Stoppable(Protocol):
    """Can be stopped safely in the middle of an operation."""

    @abstractmethod
    def stop(self, success: bool = True) -> SyncOrAsync[None]:
        """Stop; ``success=False`` means something went wrong and it should make itself safe."""


@runtime_checkable
class Subscribable(HasName, Protocol[T]):
    """Tells subscribers about new values (for monitors)."""

    @abstractmethod
    def subscribe(self, function: Callable[[dict[str, Reading[T]]], None]) -> None:
        """Call ``function`` with ``read()``-shaped dicts on each new value."""

    @abstractmethod
    def clear_sub(self, function: Callable[[dict[str, Reading[T]]], None]) -> None:
        """Stop calling ``function``."""


@runtime_checkable
class Checkable(Protocol[T_contra]):
    """Can say whether a setpoint is allowed without moving."""

    @abstractmethod
    def check_value(self, value: T_contra, /) -> SyncOrAsync[None]:
        """Raise if ``value`` is not an allowed setpoint."""


@runtime_checkable
class HasHints(HasName, Protocol):
    """Suggests which of its fields to plot."""

    @property
    @abstractmethod
    def hints(self) -> Hints:
        """The plotting hints."""
