"""Fresh uids for the queue server's status, queue, items and console messages.

They tell versions apart and are no secrets, so they come from ``random`` rather than
``os.urandom``: a status is built at every change, and a system call each time costs more
than the rest of the status on a loaded machine.
"""

from __future__ import annotations

import random
import uuid


def new_uid() -> str:
    """A fresh random (version 4) uid, as bluesky-queueserver's uids are."""
    return str(uuid.UUID(int=random.getrandbits(128), version=4))
