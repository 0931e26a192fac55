"""A RunEngine-shaped face on skyscope's Engine, so bluesky's own tests can drive it.

It only translates bluesky's call convention — the engine's loop running on its own thread
(``RE.loop``, as bluesky's), ``RE(plan, subs, **md)`` blocking the caller until the plan ends
or pauses, Ctrl-C in the caller forwarded to the engine's own Ctrl-C handling,
``RunEngineInterrupted`` for a paused or interrupted call, results as uids or
``RunEngineResult``, subscriptions by document name — and leaves every behaviour to the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
import warnings
from collections.abc import Callable, Coroutine, Generator
from typing import Any

import bluesky.run_engine
import bluesky.utils
from bluesky.run_engine import RunEngineInterrupted, RunEngineResult, TransitionError
from bluesky.utils import ensure_generator, normalize_subs_input

from skyscope.engine import Engine, EngineStateError, RunResult, sigint_while_running

# skyscope names the held state by what it is; bluesky by what it is doing.
_STATE_NAMES = {"suspended": "suspending"}

_PAUSE_MSG = "RunEngine is paused (skyscope adapter)"

# bluesky's call convention, deprecated there with these warnings: the adapter keeps them
_OLD_SUBSCRIBE = "subscribe(name, func) is the old order: use subscribe(func, name)"
_RAISE_IF_INTERRUPTED = (
    "The 'raise_if_interrupted' flag has been removed; like all keyword arguments it is "
    "recorded as metadata"
)


class RunEngineAdapter:
    """``RE(plan)`` and friends, each a call of the skyscope engine on the adapter's loop."""

    def __init__(self, md: dict[str, Any] | None = None, *, call_returns_result: bool = False):
        self.loop = asyncio.new_event_loop()
        self._th = threading.Thread(
            target=self.loop.run_forever, name="bluesky-run-engine", daemon=True
        )
        self._th.start()
        self.engine = Engine({} if md is None else md, handle_sigint=True)
        self.call_returns_result = call_returns_result
        self.preprocessors: list[Callable[[Any], Any]] = []
        self.ignore_callback_exceptions = False
        self._temp_tokens: list[int] = []
        self._interrupted = False
        self._pending: set[asyncio.Task[Any]] = set()
        # Ctrl-C in the calling thread goes to the engine while the adapter lives (bluesky's
        # RE takes it over during calls; its tests also send it just after one returns)
        self._previous_sigint = signal.getsignal(signal.SIGINT)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self._forward_sigint)
        # Msg('RE_class') asks the RunEngine for its class: the adapter is the RunEngine here
        self.engine.register_command("RE_class", self._own_class)

    # --- attributes bluesky's RunEngine exposes, read through to the engine --------------

    @property
    def md(self) -> Any:
        return self.engine.md

    @md.setter
    def md(self, value: Any) -> None:
        self.engine.md = value

    @property
    def state(self) -> str:
        value = self.engine.state.value
        return _StateName(_STATE_NAMES.get(value, value))

    @property
    def _loop(self) -> asyncio.AbstractEventLoop:
        return self.loop  # the name bluesky's suspender objects use

    def __getattr__(self, name: str) -> Any:
        # msg_hook, md_validator, suspenders, commands, ...: the engine's own, same name
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.__dict__["engine"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            name in self.__dict__
            or name in _OWN
            or "engine" not in self.__dict__
            or hasattr(type(self), name)
        ):
            object.__setattr__(self, name, value)
        else:
            setattr(self.engine, name, value)

    # --- subscriptions -----------------------------------------------------------------

    def subscribe(self, func: Callable[[str, Any], Any], name: str = "all") -> int:
        """bluesky's ``subscribe(func, name)``: only documents called ``name`` (or all).

        bluesky's old order ``subscribe(name, func)`` still works, with bluesky's warning.
        """
        if isinstance(func, str) and callable(name):
            warnings.warn(_OLD_SUBSCRIBE, UserWarning, stacklevel=2)
            func, name = name, func
        callback = func if name == "all" else _only(name, func)
        return self.engine.subscribe(callback, critical=not self.ignore_callback_exceptions)

    def unsubscribe(self, token: int) -> None:
        self.engine.unsubscribe(token)

    # --- running -----------------------------------------------------------------------

    def __call__(self, plan: Any, subs: Any = None, /, **md: Any) -> Any:
        if self.engine.state.value != "idle":
            raise RuntimeError(f"The RunEngine is in a {self.state} state")
        for name, funcs in normalize_subs_input(subs).items():
            self._temp_tokens.extend(self.subscribe(func, name) for func in funcs)
        if "raise_if_interrupted" in md:
            warnings.warn(_RAISE_IF_INTERRUPTED, UserWarning, stacklevel=2)
        gen = _bluesky_requests(ensure_generator(plan))
        for wrapper in self.preprocessors:
            gen = wrapper(gen)
        self._interrupted = False
        return self._blocking(self.engine(gen, **md))

    def resume(self) -> Any:
        if self.engine.state.value != "paused":
            raise TransitionError(f"The RunEngine is the {self.state} state; resume needs paused")
        self._interrupted = False
        return self._blocking(self.engine.resume())

    def request_pause(self, defer: bool = False) -> None:
        self._interrupted = not defer
        self._on_loop(lambda: self.engine.request_pause(defer))

    def request_suspend(self, fut: Any, *args: Any, **kwargs: Any) -> None:
        self._on_loop(lambda: self.engine.request_suspend(fut, *args, **kwargs))

    def stop(self) -> Any:
        return self._end(self.engine.stop)

    def abort(self, reason: str = "") -> Any:
        return self._end(lambda: self.engine.abort(reason))

    def halt(self) -> Any:
        return self._end(self.engine.halt)

    def install_suspender(self, suspender: Any) -> None:
        self._on_loop(lambda: self.engine.install_suspender(suspender))

    def remove_suspender(self, suspender: Any) -> None:
        self._on_loop(lambda: self.engine.remove_suspender(suspender))

    def clear_suspenders(self) -> None:
        for suspender in self.engine.suspenders:
            self.remove_suspender(suspender)

    async def _own_class(self, msg: Any) -> type[RunEngineAdapter]:
        return type(self)

    def register_command(self, name: str, func: Any) -> None:
        self.engine.register_command(name, func)

    def unregister_command(self, name: str) -> None:
        self.engine.unregister_command(name)

    def close(self) -> None:
        """Halt what still runs, cancel what was left on the loop, stop and close it."""
        if self.engine.state.value not in ("idle",):
            with contextlib.suppress(Exception):
                self.halt()
        self._wait(_cancel_all())
        self._wait(self.loop.shutdown_asyncgens())
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self._previous_sigint)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._th.join()
        self.loop.close()

    # --- translation -------------------------------------------------------------------

    def _blocking(self, coro: Coroutine[Any, Any, RunResult]) -> Any:
        """Run ``coro`` on the engine's loop; return or raise as bluesky's RE would."""
        if self._on_loop_thread():
            coro.close()
            raise RuntimeError("the RunEngine adapter was called from inside its own loop")
        try:
            result = self._wait(coro)
        except Exception as error:
            translated = _as_bluesky(error)
            if translated is error:
                raise
            raise translated from error
        finally:
            if self.engine.state.value == "idle":
                self._drop_temp_subscriptions()
        return self._answer(result)

    def _wait(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Block until ``coro`` has run on the loop.

        Once the loop is closed, a late request (a test's timer thread firing after the test
        ended) is dropped: there is no engine left to ask, and it must not leak into later tests.
        """
        if self.loop.is_closed():
            coro.close()
            return None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def _forward_sigint(self, signum: int, frame: Any) -> None:
        # the engine's own Ctrl-C rule (first: pause at a checkpoint; again: pause now), when
        # its context managers take Ctrl-C; without them, Python's own KeyboardInterrupt
        if sigint_while_running not in self.engine.context_managers:
            raise KeyboardInterrupt
        handler = self.engine._sigint
        if handler is not None and handler.armed and self.engine.state.value == "running":
            self.loop.call_soon_threadsafe(handler._on_sigint)

    def _answer(self, result: RunResult) -> Any:
        if result.paused or result.exit_status == "abort":
            raise RunEngineInterrupted(_PAUSE_MSG) from None
        if self._interrupted:
            self._interrupted = False
            raise RunEngineInterrupted(_PAUSE_MSG) from None
        return self._shape(result)

    def _shape(self, result: RunResult) -> Any:
        if not self.call_returns_result:
            return result.run_start_uids
        return RunEngineResult(
            result.run_start_uids,
            result.plan_result,
            result.exit_status or "",
            result.interrupted,
            result.reason,
            result.exception,
        )

    def _end(self, start: Callable[[], Coroutine[Any, Any, RunResult]]) -> Any:
        """stop/abort/halt: finish a paused plan here; ask a running one from its callbacks."""
        state = self.engine.state.value
        if state == "idle":
            raise TransitionError("RunEngine is already idle.")
        if state == "paused" and not self._on_loop_thread():
            try:
                result = self._wait(start())
            finally:
                self._drop_temp_subscriptions()
            return self._shape(result)
        self._interrupted = True
        self._on_loop(lambda: self._keep(self.loop.create_task(start())))
        return () if not self.call_returns_result else None

    def _keep(self, task: asyncio.Task[Any]) -> None:
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _on_loop_thread(self) -> bool:
        return threading.current_thread() is self._th

    def _on_loop(self, action: Callable[[], Any]) -> None:
        """Act on the loop's thread (now, if called there; else waiting until it has)."""
        if self._on_loop_thread():
            try:
                action()
            except EngineStateError as error:
                raise TransitionError(str(error)) from error
            return

        async def act() -> None:
            self._on_loop(action)

        self._wait(act())

    def _drop_temp_subscriptions(self) -> None:
        for token in self._temp_tokens:
            with contextlib.suppress(KeyError):
                self.engine.unsubscribe(token)
        self._temp_tokens.clear()


_OWN = frozenset(
    {"loop", "_th", "engine", "call_returns_result", "preprocessors",
     "ignore_callback_exceptions", "_temp_tokens", "_interrupted", "_pending",
     "_previous_sigint"}
)  # fmt: skip


def _as_bluesky(error: Exception) -> Exception:
    """skyscope's error as bluesky's of the same name (FailedStatus, IllegalMessageSequence...)."""
    kind = type(error)
    twin = getattr(bluesky.run_engine, kind.__name__, None)
    if (
        kind.__module__.startswith("skyscope")
        and isinstance(twin, type)
        and issubclass(twin, Exception)
        and not isinstance(error, twin)
    ):
        return twin(str(error))
    return error


_PLAN_FACING = ("RequestStop", "RequestAbort")
"""skyscope's exceptions a bluesky plan catches by bluesky's class (``run_wrapper`` does)."""


def _bluesky_requests(plan: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
    """``plan``, given bluesky's RequestStop/RequestAbort where skyscope throws its own.

    What the plan lets out again goes back to the engine as the engine's own exception.
    """
    reply: Any = None
    thrown: tuple[BaseException, BaseException] | None = None
    while True:
        try:
            msg = plan.send(reply) if thrown is None else plan.throw(thrown[1])
        except StopIteration as done:
            return done.value
        except BaseException as error:
            if thrown is not None and error is thrown[1] and thrown[0] is not thrown[1]:
                raise thrown[0] from None
            raise
        reply, thrown = None, None
        try:
            reply = yield msg
        except GeneratorExit:
            plan.close()
            raise
        except BaseException as error:
            thrown = (error, _plan_facing(error))


def _plan_facing(error: BaseException) -> BaseException:
    kind = type(error)
    if kind.__module__.startswith("skyscope") and kind.__name__ in _PLAN_FACING:
        twin: type[BaseException] = getattr(bluesky.utils, kind.__name__)
        return twin(*error.args)
    return error


class _StateName(str):
    """A state's name with the predicates bluesky's suspenders ask of ``RE.state``."""

    @property
    def is_running(self) -> bool:
        return self == "running"

    @property
    def is_idle(self) -> bool:
        return self == "idle"

    @property
    def is_paused(self) -> bool:
        return self == "paused"


async def _cancel_all() -> None:
    current = asyncio.current_task()
    leftover = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in leftover:
        task.cancel()
    await asyncio.gather(*leftover, return_exceptions=True)


def _only(name: str, func: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    def callback(doc_name: str, doc: Any) -> Any:
        if doc_name == name:
            return func(doc_name, doc)
        return None

    callback.__name__ = getattr(func, "__name__", "callback")
    return callback
