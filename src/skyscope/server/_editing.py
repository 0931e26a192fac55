"""Editing the queue and the history: add, get, update, remove, move, clear, modes.

Every item is checked when it comes in (plan, arguments, devices, permissions), so nothing
invalid reaches the engine; every edit is saved and pushed as a status change.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ._items import ItemError
from ._manager_base import QueueError
from ._plan_queue import Item
from ._runner import QueueRunner


class QueueEditing(QueueRunner):
    """The queue's and the history's edits."""

    def queue_get(self) -> dict[str, Any]:
        """The queue's items, the running item and the queue's uid."""
        return {
            "items": copy.deepcopy(self.queue.items),
            "running_item": copy.deepcopy(self.queue.running) or {},
            "plan_queue_uid": self.queue.plan_queue_uid,
        }

    def queue_item_add(
        self, item: Any, *, user: str, user_group: str, **where: Any
    ) -> dict[str, Any]:
        """Check ``item`` and insert it (``pos``, ``before_uid`` or ``after_uid``)."""
        checked = self._checked(item, user, user_group)
        self.queue.add([checked], **_where(where))
        self._changed()
        self._autostart()
        return {"item": copy.deepcopy(checked), "qsize": len(self.queue.items)}

    def queue_item_add_batch(
        self, items: Any, *, user: str, user_group: str, **where: Any
    ) -> dict[str, Any]:
        """Check every item; add them all, or none if any is refused (each one's verdict)."""
        if not isinstance(items, list):
            raise ItemError("'items' must be a list of items")
        checked: list[Item] = []
        results: list[dict[str, Any]] = []
        for raw in items:
            try:
                checked.append(self._checked(raw, user, user_group))
                results.append({"success": True, "msg": ""})
            except ItemError as error:
                results.append({"success": False, "msg": str(error)})
        if len(checked) < len(items):
            refused = sum(not r["success"] for r in results)
            return {
                "success": False,
                "msg": f"{refused} of {len(items)} items were refused; none was added",
                "items": items,
                "results": results,
                "qsize": len(self.queue.items),
            }
        self.queue.add(checked, **_where(where))
        self._changed()
        self._autostart()
        return {"items": copy.deepcopy(checked), "results": results, "qsize": len(self.queue.items)}

    def queue_item_get(self, *, pos: Any = None, uid: str | None = None) -> dict[str, Any]:
        """The item at ``pos`` or with ``uid``."""
        return {"item": self.queue.get(pos=pos, uid=uid)}

    def queue_item_update(
        self, item: Any, *, user: str, user_group: str, replace: bool = False
    ) -> dict[str, Any]:
        """Put ``item``, checked, in place of the queued item ``item["item_uid"]``.

        The uid is kept unless ``replace`` (then the item gets a new one), as in
        bluesky-queueserver's ``queue_item_update``.
        """
        if not isinstance(item, Mapping) or "item_uid" not in item:
            raise ItemError("the item to update needs the 'item_uid' of a queued item")
        checked = self._checked(item, user, user_group)
        checked["item_uid"] = item["item_uid"]
        updated = self.queue.update(checked, replace=bool(replace))
        self._changed()
        return {"item": copy.deepcopy(updated), "qsize": len(self.queue.items)}

    def queue_item_remove(self, *, pos: Any = None, uid: str | None = None) -> dict[str, Any]:
        """Take an item out of the queue."""
        item = self.queue.remove(pos=pos, uid=uid)
        self._changed()
        return {"item": item, "qsize": len(self.queue.items)}

    def queue_item_remove_batch(self, uids: Any, *, ignore_missing: bool = True) -> dict[str, Any]:
        """Take the items with ``uids`` out of the queue."""
        if not isinstance(uids, list) or not all(isinstance(u, str) for u in uids):
            raise ItemError("'uids' must be a list of item uids")
        items = self.queue.remove_batch(uids, ignore_missing=ignore_missing)
        self._changed()
        return {"items": items, "qsize": len(self.queue.items)}

    def queue_item_move(self, **where: Any) -> dict[str, Any]:
        """Move an item (``pos``/``uid``) to ``pos_dest``, ``before_uid`` or ``after_uid``."""
        allowed = {"pos", "uid", "pos_dest", "before_uid", "after_uid"}
        unknown = sorted(set(where) - allowed)
        if unknown:
            raise ItemError(f"unknown parameters: {', '.join(unknown)}")
        item = self.queue.move(**where)
        self._changed()
        return {"item": copy.deepcopy(item), "qsize": len(self.queue.items)}

    def queue_item_move_batch(self, uids: Any, **where: Any) -> dict[str, Any]:
        """Move the items with ``uids`` together (to ``pos_dest``, before or after an item)."""
        items = self.queue.move_batch(uids, **where)
        self._changed()
        return {"items": copy.deepcopy(items), "qsize": len(self.queue.items)}

    def queue_clear(self) -> dict[str, Any]:
        """Empty the queue."""
        self.queue.clear()
        self._changed()
        return {}

    def queue_mode_set(self, mode: Any) -> dict[str, Any]:
        """Set ``loop`` and ``ignore_failures`` (or ``"default"``)."""
        if mode == "default":
            mode = {"loop": False, "ignore_failures": False}
        if not isinstance(mode, Mapping):
            raise ItemError("'mode' must be an object or 'default'")
        for key, value in mode.items():
            if key not in self.queue.mode or not isinstance(value, bool):
                raise ItemError(f"queue mode {key!r}={value!r}: expected loop or ignore_failures")
        self.queue.mode.update(mode)
        self._changed()
        return {}

    def history_get(self) -> dict[str, Any]:
        """The items done, with their results."""
        return {
            "items": copy.deepcopy(self.queue.history),
            "plan_history_uid": self.queue.plan_history_uid,
        }

    def history_clear(self, *, size: Any = None, item_uid: Any = None) -> dict[str, Any]:
        """Forget the history, or all but its newest ``size`` items, or up to ``item_uid``."""
        if size is None and item_uid is None:
            self.queue.clear_history()
        else:
            self.queue.trim_history(size=size, item_uid=item_uid)
        self._changed()
        return {}

    def re_runs(self, option: str = "active") -> dict[str, Any]:
        """Runs of the current item: ``active`` (all), ``open`` or ``closed``."""
        runs = list(self._runs.values())
        if option == "open":
            runs = [r for r in runs if r["is_open"]]
        elif option == "closed":
            runs = [r for r in runs if not r["is_open"]]
        elif option != "active":
            raise QueueError(f"option must be 'active', 'open' or 'closed', not {option!r}")
        return {"run_list": copy.deepcopy(runs), "run_list_uid": self._uids["run_list"]}


def _where(where: Mapping[str, Any]) -> dict[str, Any]:
    allowed = {"pos", "before_uid", "after_uid"}
    unknown = sorted(set(where) - allowed)
    if unknown:
        raise ItemError(f"unknown parameters: {', '.join(unknown)}")
    return dict(where)
