"""The manager's lock: one client keeps others from changing the environment or the queue.

As in bluesky-queueserver: ``lock`` with a key the client keeps locks the environment (open,
close, run, pause...) and/or the queue (edits, history, permissions); requests to locked
routes then need that ``lock_key``. ``unlock`` takes the key, or the emergency key an operator
sets in ``$SKYSCOPE_EMERGENCY_LOCK_KEY`` (accepted by ``unlock`` alone) when the key is lost.
Only a hash of the key is kept, and saved with the queue so a lock survives a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

EMERGENCY_KEY_ENV = "SKYSCOPE_EMERGENCY_LOCK_KEY"


class LockError(RuntimeError):
    """A lock request that cannot be granted, or a locked route called without the key."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _check_key(key: Any, what: str = "lock_key") -> str:
    if not isinstance(key, str) or not key:
        raise LockError(f"{what} must be a non-empty string, not {key!r}")
    return key


class ManagerLock:
    """Whether the environment and the queue are locked, by whom, and with which key."""

    def __init__(self) -> None:
        """Unlocked; the emergency key (if any) comes from ``$SKYSCOPE_EMERGENCY_LOCK_KEY``."""
        emergency = os.environ.get(EMERGENCY_KEY_ENV) or None
        self._emergency = _digest(emergency) if emergency else None
        self._clear()

    def _clear(self) -> None:
        self.environment = self.queue = False
        self.user: str | None = None
        self.note: str | None = None
        self.time: float | None = None
        self._key: str | None = None
        self.uid = str(uuid.uuid4())

    def _matches(self, key: str) -> bool:
        return self._key is not None and hmac.compare_digest(self._key, _digest(key))

    @property
    def is_set(self) -> bool:
        """Whether the environment or the queue is locked."""
        return self.environment or self.queue

    def lock(
        self, key: Any, *, user: str, environment: Any = False, queue: Any = False, note: Any = None
    ) -> None:
        """Lock the environment and/or the queue with ``key`` (again, if it is the same key)."""
        _check_key(key)
        if not isinstance(environment, bool) or not isinstance(queue, bool):
            raise LockError("'environment' and 'queue' must be true or false")
        if not environment and not queue:
            raise LockError("lock what? set 'environment' and/or 'queue' to true")
        if note is not None and not isinstance(note, str):
            raise LockError(f"'note' must be a string, not {note!r}")
        if self.is_set and not self._matches(key):
            raise LockError(f"the manager is locked with another key: {self.describe()}")
        self.environment, self.queue, self.user, self.note = environment, queue, user, note
        self.time, self._key, self.uid = time.time(), _digest(key), str(uuid.uuid4())

    def unlock(self, key: Any) -> None:
        """Unlock with the lock's key or the emergency key (nothing to do when unlocked)."""
        _check_key(key)
        if not self.is_set:
            return
        emergency = self._emergency is not None and hmac.compare_digest(
            self._emergency, _digest(key)
        )
        if not (self._matches(key) or emergency):
            raise LockError(f"invalid lock key: {self.describe()}")
        self._clear()

    def check(self, key: Any, *, environment: bool = False, queue: bool = False) -> None:
        """Refuse a request to a locked part (environment or queue) without the lock's key."""
        if key is not None:
            _check_key(key)
        locked = (environment and self.environment) or (queue and self.queue)
        if locked and (key is None or not self._matches(key)):
            part = "environment" if environment and self.environment else "queue"
            raise LockError(f"the {part} is locked: pass its 'lock_key'. {self.describe()}")

    def describe(self) -> str:
        """Who locked what, when and why (never the key)."""
        when = datetime.fromtimestamp(self.time).isoformat(" ", "seconds") if self.time else "-"
        return (
            f"Locked by {self.user} at {when} (environment: {self.environment}, "
            f"queue: {self.queue}); note: {self.note or '-'}"
        )

    def info(self) -> dict[str, Any]:
        """bluesky-queueserver's ``lock_info``."""
        when = datetime.fromtimestamp(self.time).strftime("%m/%d/%Y %H:%M:%S") if self.time else ""
        return {
            "environment": self.environment,
            "queue": self.queue,
            "user": self.user,
            "time": self.time,
            "time_str": when,
            "note": self.note,
            "emergency_lock_key_is_set": self._emergency is not None,
        }

    def saved(self) -> dict[str, Any]:
        """What persists with the queue (the key's hash, not the key)."""
        return {**self.info(), "key_sha256": self._key, "uid": self.uid}

    def restore(self, saved: Mapping[str, Any] | None) -> None:
        """Take back a lock saved by ``saved()`` (None or empty: unlocked)."""
        if not saved or not (saved.get("environment") or saved.get("queue")):
            return
        self.environment, self.queue = bool(saved["environment"]), bool(saved["queue"])
        self.user, self.note, self.time = saved.get("user"), saved.get("note"), saved.get("time")
        self._key, self.uid = saved.get("key_sha256"), str(saved.get("uid") or uuid.uuid4())
