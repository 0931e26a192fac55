"""What can go wrong while running a plan, each named for what the user must do about it."""

from __future__ import annotations


class EngineError(RuntimeError):
    """Base class of the engine's own errors."""


class InvalidCommand(EngineError, KeyError):
    """A plan yielded a message whose command the engine does not know."""

    def __init__(self, command: str) -> None:
        super().__init__(
            f"unknown command {command!r}: register it with engine.register_command("
            f"{command!r}, handler) or check the plan"
        )
        self.command = command

    def __str__(self) -> str:
        return str(self.args[0])


class IllegalMessageSequence(EngineError):
    """Messages arrived in an order that makes no sense (a save with no create…)."""


class DataKeyCollision(IllegalMessageSequence, ValueError):
    """Two devices read into one event give the same data key (a ValueError, as in bluesky)."""


class InvalidReading(EngineError):
    """A device's ``read()`` gave something other than a mapping of readings (None, often)."""


class EngineStateError(EngineError):
    """A control method was called in a state where it cannot act (resume when idle…)."""


class FailedStatus(EngineError):
    """A device's Status finished unsuccessfully; the message names the device and reason."""


class WaitTimeout(EngineError, TimeoutError):
    """A ``wait`` on a group of statuses did not finish within its timeout."""


class WaitForTimeoutError(WaitTimeout):
    """A ``wait`` or ``wait_for`` ran out of time: bluesky's name, and its message first."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{WAIT_TIMEOUT_MESSAGE}: {detail}")


WAIT_TIMEOUT_MESSAGE = "Plan failed to complete in the specified time"
"""How bluesky's ``WaitForTimeoutError`` begins, so code that matches bluesky's message matches."""


class RequestAbort(EngineError):
    """Thrown into a plan when the run is aborted; the plan may clean up, then must exit."""


class RequestStop(EngineError):
    """Thrown into a plan when the run is stopped; it ends as a success after cleanup."""


class FailedPause(EngineError):
    """A pause was requested where the plan cannot be rewound, so the run is aborted instead."""


class SubscriberFailed(EngineError):
    """A subscriber marked critical raised; the run fails rather than lose what it records."""


class PlanExited(EngineError, ValueError):
    """A plan raised GeneratorExit itself (only ``close()`` may): the run fails with this.

    A ValueError caused by the GeneratorExit, as bluesky's RunEngine raises: a GeneratorExit let
    out of ``await engine(plan)`` would read as a close to any generator around the call.
    """

    def __init__(self, exit_: GeneratorExit) -> None:
        super().__init__(f"a plan raised GeneratorExit ({exit_}): only close() may raise it")
