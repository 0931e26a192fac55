"""The suite's own layout: test modules need unique names (the test folders are not packages)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def test_test_module_names_are_unique() -> None:
    names = Counter(path.name for path in Path(__file__).parent.rglob("test_*.py"))
    clashes = sorted(name for name, count in names.items() if count > 1)
    assert not clashes, f"test modules share a name, pytest cannot import both: {clashes}"
