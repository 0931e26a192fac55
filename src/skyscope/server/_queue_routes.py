"""bluesky-httpserver's queue and history routes: edit, start and stop the queue."""

from __future__ import annotations

from typing import Any

from ._items import ItemError
from ._keys import Principal
from ._manager import QueueServer
from ._route import Params, Route, no_params, only, user_of


def _item_add(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    args = only(p, "item", "pos", "before_uid", "after_uid", "user", "user_group")
    args.pop("user", None), args.pop("user_group", None)  # the key says who, not the client
    if "item" not in args:
        raise ItemError("the request needs an 'item'")
    return s.queue_item_add(args.pop("item"), **args, **user_of(who))


def _item_add_batch(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    args = only(p, "items", "pos", "before_uid", "after_uid", "user", "user_group")
    args.pop("user", None), args.pop("user_group", None)
    if "items" not in args:
        raise ItemError("the request needs 'items'")
    return s.queue_item_add_batch(args.pop("items"), **args, **user_of(who))


def _item_update(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    args = only(p, "item", "replace", "user", "user_group")
    if "item" not in args:
        raise ItemError("the request needs an 'item'")
    return s.queue_item_update(args["item"], replace=bool(args.get("replace")), **user_of(who))


def _item_execute(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    args = only(p, "item", "user", "user_group")
    if "item" not in args:
        raise ItemError("the request needs an 'item'")
    return s.queue_item_execute(args["item"], **user_of(who))


def _item_get(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.queue_item_get(**only(p, "pos", "uid"))


def _item_remove(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.queue_item_remove(**only(p, "pos", "uid"))


def _item_remove_batch(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    args = only(p, "uids", "ignore_missing")
    return s.queue_item_remove_batch(
        args.get("uids"), ignore_missing=args.get("ignore_missing", True)
    )


def _item_move(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.queue_item_move(**only(p, "pos", "uid", "pos_dest", "before_uid", "after_uid"))


def _queue_autostart(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    args = only(p, "enable")
    if not isinstance(args.get("enable"), bool):
        raise ItemError("'enable' must be true or false")
    return s.queue_autostart(args["enable"])


def _queue_mode_set(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.queue_mode_set(only(p, "mode").get("mode"))


def _history_clear(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.history_clear(**only(p, "size", "item_uid"))


def _item_move_batch(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    args = only(p, "uids", "pos_dest", "before_uid", "after_uid", "reorder")
    return s.queue_item_move_batch(args.pop("uids", None), **args)


QUEUE_ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/api/queue/get",
        "read:queue",
        no_params(QueueServer.queue_get),
        "The queue's items and the running item.",
    ),
    Route(
        "POST",
        "/api/queue/clear",
        "write:queue:edit",
        no_params(QueueServer.queue_clear),
        "Empty the queue.",
    ),
    Route(
        "POST",
        "/api/queue/start",
        "write:queue:control",
        no_params(QueueServer.queue_start),
        "Run the queue.",
    ),
    Route(
        "POST",
        "/api/queue/stop",
        "write:queue:control",
        no_params(QueueServer.queue_stop),
        "Stop the queue after the running item.",
    ),
    Route(
        "POST",
        "/api/queue/stop/cancel",
        "write:queue:control",
        no_params(QueueServer.queue_stop_cancel),
        "Cancel a pending queue stop.",
    ),
    Route(
        "POST",
        "/api/queue/autostart",
        "write:queue:control",
        _queue_autostart,
        "Start the queue by itself whenever it has items.",
    ),
    Route(
        "POST",
        "/api/queue/mode/set",
        "write:queue:control",
        _queue_mode_set,
        "Set the queue's loop and ignore_failures modes.",
    ),
    Route(
        "POST",
        "/api/queue/item/add",
        "write:queue:edit",
        _item_add,
        "Check an item and add it to the queue.",
    ),
    Route(
        "POST",
        "/api/queue/item/add/batch",
        "write:queue:edit",
        _item_add_batch,
        "Check items and add them all, or none.",
    ),
    Route(
        "POST",
        "/api/queue/item/update",
        "write:queue:edit",
        _item_update,
        "Edit a queued item (its uid kept), or replace it (a new uid).",
    ),
    Route(
        "POST",
        "/api/queue/item/execute",
        "write:execute",
        _item_execute,
        "Run an item now, without queueing it.",
    ),
    Route(
        "POST",
        "/api/queue/item/move/batch",
        "write:queue:edit",
        _item_move_batch,
        "Move several items together in the queue.",
    ),
    Route("GET", "/api/queue/item/get", "read:queue", _item_get, "One queued item."),
    Route(
        "POST",
        "/api/queue/item/remove",
        "write:queue:edit",
        _item_remove,
        "Take an item out of the queue.",
    ),
    Route(
        "POST",
        "/api/queue/item/remove/batch",
        "write:queue:edit",
        _item_remove_batch,
        "Take several items out of the queue.",
    ),
    Route(
        "POST", "/api/queue/item/move", "write:queue:edit", _item_move, "Move an item in the queue."
    ),
    Route(
        "GET",
        "/api/history/get",
        "read:history",
        no_params(QueueServer.history_get),
        "The items done, with their results.",
    ),
    Route(
        "POST", "/api/history/clear", "write:history:edit", _history_clear, "Forget the history."
    ),
)
