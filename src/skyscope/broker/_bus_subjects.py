"""Where each document goes on the bus: its subject, its dedup id, and which run it belongs to.

Subjects are ``skyscope.<instrument>.<run uid>.<document name>``, so a consumer can take one
instrument, one run or everything (``skyscope.>``). The message id JetStream deduplicates on is
stable per document (its name and uid), so a document published twice is stored once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._bus_errors import BusError

SUBJECT_ROOT = "skyscope"
ALL_SUBJECTS = f"{SUBJECT_ROOT}.>"
# A NATS subject token: no dots, wildcards or whitespace.
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]+$")


def check_token(value: str, what: str) -> str:
    """Return ``value`` if it can be one token of a subject, else a clear :class:`BusError`."""
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise BusError(
            f"{what} {value!r} cannot be part of a NATS subject: use letters, digits, '-' and '_'"
        )
    return value


def message_id(name: str, doc: Mapping[str, Any]) -> str:
    """A stable id for one document (JetStream's ``Nats-Msg-Id``): ``<name>:<uid>``."""
    uid = doc.get("uid", doc.get("datum_id"))
    if isinstance(uid, list):  # a page: its first member's uid and how many it holds
        uid = f"{uid[0]}+{len(uid)}" if uid else ""
    if not uid:
        raise BusError(f"a {name} document without a uid cannot be published: {doc!r:.120}")
    return f"{name}:{uid}"


def document_name(subject: str) -> str:
    """The document name a subject ends with."""
    return subject.rsplit(".", 1)[-1]


class RunRouter:
    """Which run each document belongs to, remembering descriptors and resources of open runs."""

    def __init__(self) -> None:
        self._parents: dict[str, str] = {}
        self._children: dict[str, list[str]] = {}

    def run_of(self, name: str, doc: Mapping[str, Any]) -> str:
        """The run uid of ``doc``; an event or datum names its parent, which names the run."""
        if name == "start":
            run_uid = str(doc["uid"])
        elif name in ("stop", "descriptor", "stream_resource", "resource"):
            run_uid = str(doc["run_start"])
        elif name in ("event", "event_page", "stream_datum", "datum", "datum_page"):
            run_uid = self._parent_run(name, doc)
        else:
            raise BusError(f"unknown document name {name!r}")
        if name in ("descriptor", "stream_resource", "resource"):
            self._parents[doc["uid"]] = run_uid
            self._children.setdefault(run_uid, []).append(doc["uid"])
        elif name == "stop":
            for child in self._children.pop(run_uid, ()):
                self._parents.pop(child, None)
        return run_uid

    def _parent_run(self, name: str, doc: Mapping[str, Any]) -> str:
        key = {"event": "descriptor", "event_page": "descriptor", "stream_datum": "stream_resource"}
        parent = doc[key.get(name, "resource")]
        run_uid = self._parents.get(parent)
        if run_uid is None:
            raise BusError(f"{name} refers to {parent!r}, which this publisher has not seen")
        return run_uid


def subject(instrument: str, run_uid: str, name: str) -> str:
    """``skyscope.<instrument>.<run uid>.<name>``."""
    return f"{SUBJECT_ROOT}.{instrument}.{run_uid}.{name}"


def run_of_subject(subject: str) -> str:
    """The run uid a subject names (its third token)."""
    return subject.split(".", 3)[2]
