"""The queue's items, the item running and the history, edited by position or item uid.

Positions follow bluesky-queueserver: an integer (negative counts from the back) or
``"front"``/``"back"``; an item may also be placed ``before_uid`` or ``after_uid`` another.
Each edit of the queue or the history gives it a new uid (``plan_queue_uid``,
``plan_history_uid``) so clients know their copy is stale.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from ._items import ItemError
from ._uids import new_uid

Item = dict[str, Any]
Position = int | str | None


def _uid() -> str:
    return new_uid()


class PlanQueue:
    """Items waiting, the item running, and the items done with their results."""

    def __init__(self) -> None:
        """An empty queue and history."""
        self.items: list[Item] = []
        self.running: Item | None = None
        self.history: list[Item] = []
        self.mode: dict[str, bool] = {"loop": False, "ignore_failures": False}
        self.plan_queue_uid = _uid()
        self.plan_history_uid = _uid()

    # --- state -------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """What persists: items, the running item, history and mode.

        The lists are copied, not the items: an item is never changed once queued (every
        edit puts a new dict in its place), so a writer thread can encode them while the
        loop goes on, without the cost of a deep copy of the whole history at every change.
        """
        return {
            "items": list(self.items),
            "running": self.running,
            "history": list(self.history),
            "mode": dict(self.mode),
        }

    def restore(self, state: Mapping[str, Any]) -> Item | None:
        """Take a saved state; a running item goes back to the front, marked interrupted."""
        self.items = [dict(i) for i in state.get("items", [])]
        self.history = [dict(i) for i in state.get("history", [])]
        self.mode.update(state.get("mode", {}))
        running = state.get("running")
        if running:
            interrupted = dict(running)
            props = dict(interrupted.get("properties", {}))
            props["interrupted"] = True
            interrupted["properties"] = props
            self.items.insert(0, interrupted)
            self._queue_changed()
            return interrupted
        self._queue_changed()
        return None

    def _queue_changed(self) -> None:
        self.plan_queue_uid = _uid()

    def _history_changed(self) -> None:
        self.plan_history_uid = _uid()

    # --- finding -----------------------------------------------------------------------

    def index(self, *, pos: Position = None, uid: str | None = None) -> int:
        """The index of the item at ``pos`` or with ``uid`` (exactly one of them)."""
        if (pos is None) == (uid is None):
            raise ItemError("give either a position ('pos') or an item uid ('uid'), not both")
        if uid is not None:
            for index, item in enumerate(self.items):
                if item.get("item_uid") == uid:
                    return index
            if self.running is not None and self.running.get("item_uid") == uid:
                raise ItemError(f"item {uid!r} is running, not in the queue")
            raise ItemError(f"no item with uid {uid!r} in the queue")
        if not self.items:
            raise ItemError("the queue is empty")
        if pos == "front":
            return 0
        if pos == "back":
            return len(self.items) - 1
        if isinstance(pos, bool) or not isinstance(pos, int):
            raise ItemError(f"position must be an integer, 'front' or 'back', not {pos!r}")
        index = pos if pos >= 0 else len(self.items) + pos
        if not 0 <= index < len(self.items):
            raise ItemError(f"position {pos} is outside the queue ({len(self.items)} items)")
        return index

    def _insert_index(self, pos: Position, before_uid: str | None, after_uid: str | None) -> int:
        given = [p for p in (pos, before_uid, after_uid) if p is not None]
        if len(given) > 1:
            raise ItemError("give at most one of 'pos', 'before_uid' and 'after_uid'")
        if before_uid is not None:
            return self.index(uid=before_uid)
        if after_uid is not None:
            return self.index(uid=after_uid) + 1
        if pos is None or pos == "back":
            return len(self.items)
        if pos == "front":
            return 0
        if isinstance(pos, bool) or not isinstance(pos, int):
            raise ItemError(f"position must be an integer, 'front' or 'back', not {pos!r}")
        if pos < 0:  # -1 puts it before the last item, as bluesky-queueserver does
            return max(0, len(self.items) + pos)
        return min(pos, len(self.items))

    # --- editing -----------------------------------------------------------------------

    def add(
        self,
        items: Iterable[Item],
        *,
        pos: Position = None,
        before_uid: str | None = None,
        after_uid: str | None = None,
    ) -> None:
        """Insert ``items`` (in order) at a position or before/after an item."""
        index = self._insert_index(pos, before_uid, after_uid)
        self.items[index:index] = list(items)
        self._queue_changed()

    def get(self, *, pos: Position = None, uid: str | None = None) -> Item:
        """A copy of the item at ``pos`` or with ``uid`` (the running item too, by uid)."""
        if pos is None and uid is None:
            pos = "back"
        if uid is not None and self.running is not None and self.running["item_uid"] == uid:
            return copy.deepcopy(self.running)
        return copy.deepcopy(self.items[self.index(pos=pos, uid=uid)])

    def remove(self, *, pos: Position = None, uid: str | None = None) -> Item:
        """Take the item at ``pos`` (default: the back) or with ``uid`` out of the queue."""
        if pos is None and uid is None:
            pos = "back"
        item = self.items.pop(self.index(pos=pos, uid=uid))
        self._queue_changed()
        return item

    def remove_batch(self, uids: list[str], *, ignore_missing: bool = True) -> list[Item]:
        """Take the items with ``uids`` out; unknown uids are an error unless ignored."""
        present = {i["item_uid"] for i in self.items}
        missing = [u for u in uids if u not in present]
        if missing and not ignore_missing:
            raise ItemError(f"no items with uids {missing} in the queue")
        if len(set(uids)) != len(uids):
            raise ItemError("the list of uids has repeated uids")
        wanted = set(uids)
        removed = [i for i in self.items if i["item_uid"] in wanted]
        self.items = [i for i in self.items if i["item_uid"] not in wanted]
        self._queue_changed()
        return removed

    def move(
        self,
        *,
        pos: Position = None,
        uid: str | None = None,
        pos_dest: Position = None,
        before_uid: str | None = None,
        after_uid: str | None = None,
    ) -> Item:
        """Move one item to ``pos_dest`` or before/after another item."""
        if pos_dest is None and before_uid is None and after_uid is None:
            raise ItemError("give a destination: 'pos_dest', 'before_uid' or 'after_uid'")
        if uid is not None and uid in (before_uid, after_uid):
            raise ItemError("an item cannot be moved before or after itself")
        index = self.index(pos=pos, uid=uid)
        if pos_dest is not None:
            dest = self.index(pos=pos_dest)
            item = self.items.pop(index)
            self.items.insert(dest, item)
        else:
            item = self.items.pop(index)
            self.items.insert(self._insert_index(None, before_uid, after_uid), item)
        self._queue_changed()
        return item

    def move_batch(
        self,
        uids: Any,
        *,
        pos_dest: Position = None,
        before_uid: str | None = None,
        after_uid: str | None = None,
        reorder: bool = False,
    ) -> list[Item]:
        """Move the items with ``uids`` together to one place (in ``uids``' order, or the queue's).

        All of them move, or none: an unknown or repeated uid refuses the whole batch.
        """
        if not isinstance(uids, list) or not all(isinstance(u, str) for u in uids):
            raise ItemError("'uids' must be a list of item uids")
        if len(set(uids)) != len(uids):
            raise ItemError("the list of uids has repeated uids")
        given = [p for p in (pos_dest, before_uid, after_uid) if p is not None]
        if len(given) != 1:
            raise ItemError("give exactly one of 'pos_dest', 'before_uid' and 'after_uid'")
        if pos_dest is not None and pos_dest not in ("front", "back"):
            raise ItemError(f"'pos_dest' of a batch must be 'front' or 'back', not {pos_dest!r}")
        by_uid = {i["item_uid"]: i for i in self.items}
        missing = [u for u in uids if u not in by_uid]
        if missing:
            raise ItemError(f"no items with uids {missing} in the queue")
        if {before_uid, after_uid} & set(uids):
            raise ItemError("the batch cannot be moved before or after one of its own items")
        wanted = set(uids)
        moved = (
            [i for i in self.items if i["item_uid"] in wanted]
            if reorder
            else [by_uid[u] for u in uids]
        )
        self.items = [i for i in self.items if i["item_uid"] not in wanted]
        index = self._insert_index(pos_dest, before_uid, after_uid)
        self.items[index:index] = moved
        self._queue_changed()
        return moved

    def update(self, item: Item, *, replace: bool) -> Item:
        """Put ``item`` in place of the queued item with its uid.

        As in bluesky-queueserver, an edit keeps the uid (clients still find the item by it);
        ``replace`` says a different item takes the place, so it gets a new uid.
        """
        index = self.index(uid=item["item_uid"])
        new = dict(item)
        if replace:
            new["item_uid"] = _uid()
        self.items[index] = new
        self._queue_changed()
        return new

    def clear(self) -> None:
        """Empty the queue (the running item stays)."""
        self.items.clear()
        self._queue_changed()

    # --- running -----------------------------------------------------------------------

    def start_next(self) -> Item | None:
        """Make the front item the running one; None if the queue is empty."""
        if not self.items:
            return None
        self.running = self.items.pop(0)
        self._queue_changed()
        return self.running

    def start_now(self, item: Item) -> None:
        """Run ``item`` without it passing through the queue (``item_execute``)."""
        self.running = item
        self._queue_changed()

    def finish(self, result: dict[str, Any], *, requeue: str | None) -> Item:
        """The running item is done: into the history with ``result``.

        ``requeue="front"`` puts it back first (a plan that failed or was aborted, to run
        again); ``"back"`` last, with a new uid (loop mode).
        """
        if self.running is None:
            raise ItemError("no item is running")
        done = {**self.running, "result": result}
        if requeue == "front":
            self.items.insert(0, dict(self.running))
        elif requeue == "back":
            again = {k: v for k, v in self.running.items() if k not in ("result", "properties")}
            again["item_uid"] = _uid()
            self.items.append(again)
        self.running = None
        self.history.append(done)
        self._queue_changed()
        self._history_changed()
        return done

    def clear_history(self) -> None:
        """Forget the history."""
        self.history.clear()
        self._history_changed()

    def trim_history(self, *, size: Any = None, item_uid: Any = None) -> None:
        """Keep only the newest ``size`` items, or those after the item ``item_uid``."""
        if size is not None and item_uid is not None:
            raise ItemError("'size' and 'item_uid' exclude each other")
        if size is not None:
            if isinstance(size, bool) or not isinstance(size, int) or size < 0:
                raise ItemError(f"'size' must be an integer >= 0, not {size!r}")
            if size < len(self.history):
                del self.history[: len(self.history) - size]
                self._history_changed()
            return
        if not isinstance(item_uid, str):
            raise ItemError(f"'item_uid' must be a string, not {item_uid!r}")
        uids = [i.get("item_uid") for i in self.history]
        if item_uid not in uids:
            raise ItemError(f"no item with uid {item_uid!r} in the history")
        del self.history[: uids.index(item_uid) + 1]
        self._history_changed()
