"""Bad queries, unknown uids and bad documents give errors that name the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from _broker_docs import RunDocs, small_run

from skyscope.broker import (
    AmbiguousUID,
    Catalog,
    CatalogError,
    Comparison,
    Contains,
    DocumentError,
    FullText,
    In,
    Key,
    NotFoundError,
    PartialUID,
    QueryError,
    Regex,
    RunNotFound,
    ScanID,
    TimeRange,
)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Comparison("sample", "=~", "beads"), r"unknown operator '=~'.*==, !=, <"),
        (lambda: Regex("sample", "(unclosed"), r"Regex\('sample', '\(unclosed'\) does not compile"),
        (lambda: FullText('"unbalanced'), r"not a valid full-text query"),
        (lambda: FullText("  "), r"needs some words"),
        (lambda: Key("sample") == ["a", "b"], r"cannot compare 'sample' with list"),
        (lambda: Key("temperature") < None, r"cannot order"),
        (lambda: Key("exposure") > float("nan"), r"NaN"),
        (lambda: In("sample", "beads"), r"takes a list of values"),
        (lambda: Contains("tags", None), r"needs text or a number"),
        (lambda: TimeRange("last tuesday"), r"'last tuesday' is not a time.*ISO 8601"),
        (lambda: TimeRange("2024-05-02", "2024-05-01"), r"until .* is not after since"),
        (lambda: TimeRange(), r"needs since, until or both"),
        (lambda: ScanID("3"), r"ScanID takes one or more integers"),
        (lambda: PartialUID(""), r"non-empty uid prefix"),
        (lambda: (Key("a") == 1) & "b", r"can only combine queries"),
        (lambda: (Key("a") == 1) and (Key("b") == 2), r"combine queries with & and \|"),
    ],
)
def test_bad_queries_name_the_problem(build: object, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        build()  # type: ignore[operator]


@pytest.fixture
def catalog(catalog_location: str) -> Catalog:
    with Catalog(catalog_location) as cat:
        cat.ingest(small_run({"uid": "abc-1", "scan_id": 1, "time": 1e9}).docs)
        cat.ingest(small_run({"uid": "abc-2", "scan_id": 2, "time": 1e9 + 1}).docs)
        cat.ingest(small_run({"uid": "def-3", "scan_id": 3, "time": 1e9 + 2}).docs)
        yield cat


def test_unknown_runs_are_named(catalog: Catalog) -> None:
    with pytest.raises(RunNotFound, match=r"no run with uid or uid prefix 'zzz'"):
        catalog["zzz"]
    with pytest.raises(RunNotFound, match=r"no run with scan_id 99"):
        catalog[99]
    with pytest.raises(RunNotFound, match=r"catalog\[-4\]: the catalog has only 3 runs"):
        catalog[-4]
    with pytest.raises(
        AmbiguousUID, match=r"partial uid 'abc' matches several runs \(abc-2, abc-1\)"
    ):
        catalog["abc"]
    with pytest.raises(RunNotFound, match="this search"):
        catalog.search(Key("scan_id") == 1)["def"]
    assert catalog["def"].uid == "def-3"
    assert catalog["abc-1"].uid == "abc-1"
    with pytest.raises(KeyError):  # RunNotFound is a KeyError, as a mapping's should be
        catalog["nope"]
    with pytest.raises(TypeError, match="looked up by uid"):
        catalog[1.5]  # type: ignore[index]
    with pytest.raises(TypeError, match="takes a query"):
        catalog.search("sample == beads")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match=r"no stream 'dark'; streams: 'primary'"):
        catalog[-1]["dark"]


def test_bad_documents_are_refused_clearly(catalog: Catalog, tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"evnt document 'x': unknown document kind"):
        catalog("evnt", {"uid": "x"})
    orphan = RunDocs({})
    orphan.descriptor("primary", {"x": {"source": "s", "dtype": "number", "shape": []}})
    with pytest.raises(DocumentError, match=r"descriptor .* refers to run start .* not seen"):
        catalog.ingest(orphan.docs[1:])
    with pytest.raises(DocumentError, match=r"event .* refers to descriptor 'nope'"):
        catalog(
            "event",
            {
                "uid": "e",
                "descriptor": "nope",
                "seq_num": 1,
                "time": 0.0,
                "data": {},
                "timestamps": {},
            },
        )
    with pytest.raises(DocumentError, match=r"start document 'no-time': time: required field"):
        catalog("start", {"uid": "no-time"})
    bad = tmp_path / "bad.jsonl"
    bad.write_text('["start", {"uid": "j", "time": 1}]\n{not json\n')
    with pytest.raises(DocumentError, match=r"bad.jsonl:2: not JSON"):
        catalog.ingest_jsonl(bad)
    assert catalog["j"].uid == "j"  # documents before the bad line are kept
    with pytest.raises(DocumentError, match="no such JSON-lines file"):
        catalog.ingest_jsonl(tmp_path / "missing.jsonl")


def test_closed_catalog_says_so(catalog_location: str) -> None:
    catalog = Catalog(catalog_location)
    catalog.close()
    with pytest.raises(CatalogError, match="is closed"):
        len(catalog)


def test_not_a_catalog_file(tmp_path: Path) -> None:
    """SQLite only: a file that is not a database (a server database is checked by the server)."""
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CatalogError, match=r"junk\.sqlite is damaged or not a catalog"):
        Catalog(junk)
