"""Making the many small directories of a chunked store, one system call per new directory."""

from __future__ import annotations

from pathlib import Path

_REMEMBERED = 64
"""How many recently made directories are remembered (to skip creating them again)."""


class DirectoryMaker:
    """Creates directories under ``root`` (which exists) top down, remembering recent ones.

    A store that grows puts frames in new directories: creating them one by one, each after its
    parent, costs one system call per directory, where ``mkdir(parents=True)`` tries the
    deepest first and fails. Only the latest are remembered, so memory stays flat.
    """

    def __init__(self, root: Path) -> None:
        """Make directories below ``root``."""
        self._root = root
        self._known: dict[Path, None] = {}  # made lately, oldest first

    def make(self, directory: Path) -> None:
        """Create ``directory`` and its missing parents up to the root."""
        missing: list[Path] = []
        while directory != self._root and directory not in self._known:
            missing.append(directory)
            directory = directory.parent
        for new in reversed(missing):
            new.mkdir(exist_ok=True)
            self._known[new] = None
        while len(self._known) > _REMEMBERED:
            del self._known[next(iter(self._known))]
