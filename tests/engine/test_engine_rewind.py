"""The rewind cache's one rule, on its own: what is remembered, and when a pause can rewind."""

from __future__ import annotations

import pytest

from skyscope.engine import COMMANDS, Msg, NoReplayAllowed
from skyscope.engine._no_replay import refuses_replay
from skyscope.engine._rewind import Rewind


def _rewind(*, rewindable: bool = True, cleared: bool = False, side: bool = False) -> Rewind:
    rewind = Rewind()
    rewind.rewindable = rewindable
    if cleared:
        rewind.clear_checkpoint()
    if side:
        rewind.enter_side(breaks_rewind=False)
    return rewind


CASES = [
    # (rewindable, after clear_checkpoint, in a side branch, command) -> cached, resumable
    (True, False, False, "set", True, True),
    (True, False, False, "open_run", False, True),  # never replayed: not cached, harmless
    (True, False, False, "stage", False, True),
    (False, False, False, "set", False, True),  # rewindable(False): resume replays nothing
    (False, False, False, "subscribe", False, True),
    (True, True, False, "set", False, False),  # after clear_checkpoint
    (True, False, True, "set", False, True),  # a suspender's plan: not part of the rewind
]


@pytest.mark.parametrize(("rewindable", "cleared", "side", "command", "cached", "resumable"), CASES)
def test_the_caching_rule(
    rewindable: bool, cleared: bool, side: bool, command: str, cached: bool, resumable: bool
) -> None:
    rewind = _rewind(rewindable=rewindable, cleared=cleared, side=side)
    msg = Msg(command, None)
    rewind.note(msg, COMMANDS[command].replay)
    assert (msg in (rewind.cache or [])) is cached
    assert rewind.resumable is resumable


def test_a_checkpoint_makes_a_broken_rewind_whole_again() -> None:
    rewind = _rewind(cleared=True)
    rewind.note(Msg("set", None, 1), replay=True)
    assert not rewind.resumable
    rewind.checkpoint()
    assert rewind.resumable
    assert rewind.cache == []


def test_a_parallel_block_breaks_the_rewind() -> None:
    rewind = Rewind()
    rewind.enter_side(breaks_rewind=True)
    rewind.leave_side()
    assert not rewind.resumable


def test_a_saved_event_is_not_replayed_but_the_moves_are() -> None:
    rewind = Rewind()
    move, create, read, save = (Msg("set", None, 1), Msg("create"), Msg("read", None), Msg("save"))
    for msg in (move, create):
        rewind.note(msg, replay=True)
    rewind.bundle_opened()
    for msg in (read, save):
        rewind.note(msg, replay=True)
    rewind.bundle_closed()
    assert rewind.cache == [move]


def test_a_replay_ends_with_the_interrupted_message_once() -> None:
    rewind = Rewind()
    move, sleep = Msg("set", None, 1), Msg("sleep", None, 5)
    rewind.note(move, replay=True)
    rewind.note(sleep, replay=True)
    rewind.interrupted = sleep
    rewind.start_replay()
    assert list(rewind.replay) == [move, sleep]
    assert rewind.cache == []
    assert rewind.interrupted is None
    rewind.cancel()
    assert not rewind.replay


def test_changing_rewindable_forgets_what_was_remembered() -> None:
    rewind = Rewind()
    rewind.note(Msg("set", None, 1), replay=True)
    rewind.rewindable = False
    assert rewind.cache == []
    rewind.note(Msg("set", None, 2), replay=True)
    rewind.rewindable = True
    assert rewind.cache == []
    assert rewind.resumable


def test_forgetting_keeps_a_cleared_checkpoint_unresumable() -> None:
    rewind = Rewind()
    rewind.note(Msg("set", None, 1), replay=True)
    rewind.forget()  # a device said NoReplayAllowed: resume from here
    assert rewind.cache == []
    assert rewind.resumable
    rewind.clear_checkpoint()
    rewind.note(Msg("set", None, 2), replay=True)
    rewind.forget()
    assert not rewind.resumable


def test_a_replay_reopens_the_bundle_only_when_it_remembered_its_create() -> None:
    rewind = Rewind()
    rewind.note(Msg("create"), replay=True)
    rewind.bundle_opened()
    assert rewind.replays_bundle
    rewind.start_replay()
    assert not rewind.replays_bundle
    rewind.rewindable = False
    rewind.note(Msg("create"), replay=True)
    rewind.bundle_opened()
    assert not rewind.replays_bundle  # nothing replays it: the open bundle must stay


class _OtherLibrarysNoReplayAllowed(Exception):
    """Stands for bluesky.utils.NoReplayAllowed: recognised by name, bluesky not imported."""


_OtherLibrarysNoReplayAllowed.__name__ = "NoReplayAllowed"


def test_no_replay_allowed_is_recognised_by_name() -> None:
    assert refuses_replay(NoReplayAllowed())
    assert refuses_replay(_OtherLibrarysNoReplayAllowed())
    assert not refuses_replay(RuntimeError("NoReplayAllowed"))
