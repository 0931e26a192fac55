"""``skyscope queue add|list|start|stop|status|history``: drive a running queue server.

``skyscope queue add count '["camera"]' num=5`` queues ``count(["camera"], num=5)``: each
argument is read as JSON when it parses (numbers, lists, true/false, null) and as a string
otherwise; ``name=value`` is a keyword argument. The server is ``--url`` (default
``$SKYSCOPE_SERVER_URL`` or http://127.0.0.1:60610) and the key ``--api-key`` (default
``$SKYSCOPE_API_KEY`` or ``$SKYSCOPE_SINGLE_USER_API_KEY``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from typing import Any

_KEYWORD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``skyscope queue``."""
    parser = subparsers.add_parser(
        "queue", help="add to, list, start and stop a queue server's queue", description=__doc__
    )
    parser.add_argument("--url", default=None, help="the queue server")
    parser.add_argument("--api-key", default=None, help="an API key")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="queue a plan: NAME [ARG ...] [KEY=VALUE ...]")
    add.add_argument("plan")
    add.add_argument("arguments", nargs="*", metavar="ARG|KEY=VALUE")
    add.set_defaults(handler=_add, command="queue add")
    for name, handler, help_text in (
        ("list", _list, "the queued items and the running one"),
        ("start", _start, "run the queue"),
        ("stop", _stop, "stop the queue after the running item"),
        ("status", _status, "the manager's status"),
        ("history", _history, "the items done and how they ended"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.set_defaults(handler=handler, command=f"queue {name}")


def parse_arguments(tokens: list[str]) -> tuple[list[Any], dict[str, Any]]:
    """Plan arguments from the command line: JSON where it parses, ``name=value`` by name."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for token in tokens:
        keyword = _KEYWORD.match(token)
        if keyword:
            kwargs[keyword[1]] = _value(keyword[2])
        elif kwargs:
            raise ValueError(f"positional argument {token!r} after keyword arguments")
        else:
            args.append(_value(token))
    return args, kwargs


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _run(args: argparse.Namespace, action: Any) -> int:
    from skyscope.server import QueueClient, QueueRequestError

    try:
        with QueueClient(args.url, args.api_key) as client:
            action(client)
    except (QueueRequestError, ValueError) as error:
        print(f"skyscope {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


def _describe(item: dict[str, Any]) -> str:
    if item.get("item_type") == "instruction":
        return f"[{item['name']}]"
    parts = [json.dumps(a) for a in item.get("args", [])]
    parts += [f"{k}={json.dumps(v)}" for k, v in item.get("kwargs", {}).items()]
    return f"{item['name']}({', '.join(parts)})"


def _add(args: argparse.Namespace) -> int:
    def action(client: Any) -> None:
        plan_args, plan_kwargs = parse_arguments(args.arguments)
        item = client.add(args.plan, *plan_args, **plan_kwargs)
        print(f"queued {item['item_uid']}: {_describe(item)}")

    return _run(args, action)


def _list(args: argparse.Namespace) -> int:
    def action(client: Any) -> None:
        queue = client.queue()
        if queue["running_item"]:
            print(f"running  {queue['running_item']['item_uid'][:8]}  "
                  f"{_describe(queue['running_item'])}")  # fmt: skip
        for number, item in enumerate(queue["items"], 1):
            print(f"{number:>7}  {item['item_uid'][:8]}  {_describe(item)}")
        if not queue["items"] and not queue["running_item"]:
            print("the queue is empty")

    return _run(args, action)


def _start(args: argparse.Namespace) -> int:
    return _run(args, lambda client: client.start())


def _stop(args: argparse.Namespace) -> int:
    return _run(args, lambda client: client.stop())


def _status(args: argparse.Namespace) -> int:
    def action(client: Any) -> None:
        status = client.status()
        keys = ("manager_state", "re_state", "items_in_queue", "items_in_history",
                "running_item_uid", "worker_environment_exists", "queue_stop_pending")  # fmt: skip
        for key in keys:
            print(f"{key:>26}: {status[key]}")

    return _run(args, action)


def _history(args: argparse.Namespace) -> int:
    def action(client: Any) -> None:
        for item in client.history():
            result = item.get("result", {})
            started = dt.datetime.fromtimestamp(result.get("time_start", 0)).strftime("%H:%M:%S")
            runs = ",".join(uid[:8] for uid in result.get("run_uids", []))
            print(f"{started}  {result.get('exit_status', '?'):<9}  {_describe(item)}  {runs}")
            if result.get("msg"):
                print(f"          {result['msg']}")

    return _run(args, action)
