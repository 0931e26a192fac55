"""Fixtures of the fault suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from skyscope.broker import Catalog


@pytest.fixture(scope="module")
def fuzz_catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    """One catalog for every fuzzed example (ingest is idempotent; state carries over)."""
    with Catalog(Path(tmp_path_factory.mktemp("fuzz")) / "catalog.sqlite") as catalog:
        yield catalog
