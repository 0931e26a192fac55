"""What each backend must do alike beyond the shared suite: exact numbers, full-text syntax,
clear errors for a server database, and ``skyscope catalog check`` on a URL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from _broker_docs import small_run

from skyscope.broker import Catalog, CatalogError, FullText, Key
from skyscope.broker._fulltext import to_tsquery, to_tsvector, words
from skyscope.cli import main


def samples(catalog: Catalog) -> list[str]:
    """The sample of each run, oldest first."""
    return sorted(str(run.start["sample"]) for run in catalog)


def test_numbers_compare_exactly(catalog_location: str) -> None:
    with Catalog(catalog_location) as catalog:
        for i, value in enumerate([2**53, 2**53 + 1, 0.1 + 0.2, 0.3, 2**63 - 1, -1.5e300]):
            catalog.ingest(small_run({"sample": f"s{i}", "n": value, "time": 1e9 + i}).docs)
        assert samples(catalog.search(Key("n") == 2**53 + 1)) == ["s1"]
        assert samples(catalog.search(Key("n") > 2**53)) == ["s1", "s4"]
        assert samples(catalog.search(Key("n") == 0.1 + 0.2)) == ["s2"]
        assert samples(catalog.search(Key("n") == 0.3)) == ["s3"]
        assert samples(catalog.search(Key("n") < 0)) == ["s5"]


def test_fulltext_syntax_is_the_same(catalog_location: str) -> None:
    notes = ["Bead drift corrected", "café crème", "beads and cells", "cells only", "drift-free"]
    with Catalog(catalog_location) as catalog:
        for i, note in enumerate(notes):
            catalog.ingest(small_run({"sample": f"s{i}", "note": note, "time": 1e9 + i}).docs)
        cases = {
            "bead": ["s0"],
            "bead*": ["s0", "s2"],
            "cafe": ["s1"],
            "CAFÉ": ["s1"],
            '"bead drift"': ["s0"],
            '"drift bead"': [],
            "beads OR drift": ["s0", "s2", "s4"],
            "cells NOT beads": ["s3"],
            "(bead OR beads) AND cells": ["s2"],
            "drift + free": ["s4"],
            '"crème"': ["s1"],
        }
        found = {text: samples(catalog.search(FullText(text))) for text in cases}
    assert found == cases


def test_fulltext_translation() -> None:
    assert words("Café-crème_42 x") == ["cafe", "creme", "42", "x"]
    assert to_tsvector("a B a") == "'a':1 'b':2 'a':3"
    assert (
        to_tsquery('"one two"* OR three NOT four') == "('one' <-> 'two':*) | ('three') & ! ('four')"
    )
    assert to_tsquery("(a OR b) c") == "( ('a') | ('b') ) & ('c')"


def test_a_missing_server_or_database_is_one_line(postgres: object) -> None:
    from _postgres import PostgresServer, free_port

    assert isinstance(postgres, PostgresServer)
    nowhere = f"postgresql://skyscope@127.0.0.1:{free_port()}/catalog"
    with pytest.raises(CatalogError, match=rf"cannot open the catalog {nowhere}: .*") as error:
        Catalog(nowhere)
    assert "\n" not in str(error.value)
    missing = postgres.url("no_such_database")
    with pytest.raises(CatalogError, match=r"no_such_database.*does not exist"):
        Catalog(missing)
    postgres.execute("CREATE DATABASE empty_catalog")
    with pytest.raises(CatalogError, match=r"no catalog in .*empty_catalog"):
        Catalog(postgres.url("empty_catalog"), readonly=True)


def test_password_is_not_shown(postgres: object) -> None:
    from _postgres import PostgresServer

    assert isinstance(postgres, PostgresServer)
    url = postgres.url("no_such_database").replace("skyscope@", "skyscope:s3cret@")
    with pytest.raises(CatalogError) as error:
        Catalog(url)
    assert "s3cret" not in str(error.value)
    assert "skyscope:***@" in str(error.value)


def test_catalog_check_and_runs_on_a_url(
    catalog_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Catalog(catalog_location) as catalog:
        catalog.ingest(small_run({"sample": "beads"}).docs)
        catalog.ingest(small_run({"sample": "cells"}, stop=False).docs)
    assert main(["catalog", "check", "--catalog", catalog_location]) == 0
    out = capsys.readouterr().out
    assert f"catalog {catalog_location}: ok" in out
    assert "2 runs (1 incomplete, 1 success)" in out
    assert main(["runs", "--catalog", catalog_location]) == 0
    assert f"2 of 2 runs in {catalog_location}" in capsys.readouterr().out.replace("\n", "")


def test_a_run_twice_in_one_batch_is_stored_once(
    catalog_location: str, new_catalog: Callable[[], str]
) -> None:
    from _catalog_backends import row_counts

    runs = [small_run({"sample": f"s{i}", "time": 1e9 + i}, n_events=2) for i in range(3)]
    docs = [doc for run in runs for doc in run.docs]
    tables = ("runs", "run_keys", "runs_fts", "events", "descriptors")
    once = new_catalog()
    with Catalog(once) as catalog:
        catalog.ingest(docs)
    with Catalog(catalog_location) as catalog:
        catalog.ingest(docs + docs)  # one transaction holds every start twice
        assert samples(catalog.search(Key("sample") == "s1")) == ["s1"]
    assert row_counts(catalog_location, tables) == row_counts(once, tables)
    assert row_counts(once, ("runs", "runs_fts", "events")) == {
        "runs": 3,
        "runs_fts": 3,
        "events": 6,
    }


def test_a_large_bulk_ingest_refreshes_postgresql_statistics(
    postgres: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    import skyscope.broker._store as store_module
    from _postgres import PostgresServer

    assert isinstance(postgres, PostgresServer)
    monkeypatch.setattr(store_module, "REFRESH_STATISTICS_DOCS", 8)
    location = postgres.fresh_database()
    analyzed = "SELECT count(last_analyze) FROM pg_stat_user_tables WHERE relname = 'run_keys'"
    with Catalog(location) as catalog:
        catalog.ingest(small_run({"sample": "few"}).docs)  # 4 documents: below the mark
        with psycopg.connect(location) as db:
            assert db.execute(analyzed).fetchone() == (0,)
        catalog.ingest(small_run({"sample": "more"}, n_events=6).docs)
        with psycopg.connect(location) as db:
            assert db.execute(analyzed).fetchone() == (1,)
