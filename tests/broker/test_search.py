"""Search correctness: each query kind against a plain Python filter of the same 1,200 runs."""

from __future__ import annotations

import operator
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from _broker_docs import small_run, varied_metadata

from skyscope.broker import (
    Catalog,
    Contains,
    FullText,
    In,
    Key,
    Not,
    PartialUID,
    Query,
    Regex,
    ScanID,
    TimeRange,
    _select,
)

N_RUNS = 1200
T0 = 1_700_000_000.0
MISSING = object()
EXIT_STATUS: dict[str, str] = {}  # run uid -> the exit status its stop document gives

Md = dict[str, Any]


@pytest.fixture(scope="module")
def generated(new_catalog: Callable[[], str]) -> Iterator[tuple[Catalog, list[Md]]]:
    rng = random.Random(7)
    starts = [varied_metadata(rng, i, T0) for i in range(N_RUNS)]
    catalog = Catalog(new_catalog())
    statuses = ["success"] * 8 + ["abort", "fail"]
    EXIT_STATUS.update({md["uid"]: rng.choice(statuses) for md in starts})
    docs = (
        doc
        for md in starts
        for doc in small_run(md, n_events=1, exit_status=EXIT_STATUS[md["uid"]]).docs
    )
    assert catalog.ingest(docs) == N_RUNS * 4
    yield catalog, starts
    catalog.close()


# --- the plain Python meaning of each query ---------------------------------------------------


def flat(md: Md, key: str) -> Any:
    value: Any = md
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "num"
    if isinstance(value, str):
        return "str"
    return "other"


def eq(key: str, target: Any) -> Callable[[Md], bool]:
    def match(md: Md) -> bool:
        value = flat(md, key)
        return value is not MISSING and kind(value) == kind(target) and value == target

    return match


def compare(key: str, op: Callable[[Any, Any], bool], target: Any) -> Callable[[Md], bool]:
    def match(md: Md) -> bool:
        value = flat(md, key)
        return value is not MISSING and kind(value) == kind(target) and op(value, target)

    return match


def contains(key: str, target: Any) -> Callable[[Md], bool]:
    def match(md: Md) -> bool:
        value = flat(md, key)
        if isinstance(value, str) and isinstance(target, str):
            return target in value
        if isinstance(value, list):
            return any(kind(item) == kind(target) and item == target for item in value)
        return False

    return match


def tokens(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from tokens(item)
    elif isinstance(value, list):
        for item in value:
            yield from tokens(item)
    elif isinstance(value, str):
        yield from re.findall(r"[^\W_]+", value.lower())


def fulltext(*words: str, prefix: bool = False) -> Callable[[Md], bool]:
    def match(md: Md) -> bool:
        found = set(tokens(md))
        if prefix:
            return all(any(t.startswith(w) for t in found) for w in words)
        return all(w in found for w in words)

    return match


@dataclass(frozen=True)
class Case:
    name: str
    query: Query | list[Query]  # a list is chained with .search(): AND
    expected: Callable[[Md], bool]


CASES = [
    Case("== text", Key("sample") == "beads", eq("sample", "beads")),
    Case("== case-sensitive", Key("sample") == "Beads", eq("sample", "Beads")),
    Case("== number", Key("binning") == 2, eq("binning", 2)),
    Case("== bool", Key("flag") == True, eq("flag", True)),  # noqa: E712
    Case("== None", Key("temperature") == None, eq("temperature", None)),  # noqa: E711
    Case("== nested", Key("detector.name") == "cam2", eq("detector.name", "cam2")),
    Case(
        "!= text (missing counts)",
        Key("sample") != "beads",
        lambda md: not eq("sample", "beads")(md),
    ),
    Case("!= number", Key("binning") != 4, lambda md: not eq("binning", 4)(md)),
    Case("< number", Key("exposure") < 0.25, compare("exposure", operator.lt, 0.25)),
    Case("<= int", Key("temperature") <= 25, compare("temperature", operator.le, 25)),
    Case("> number", Key("exposure") > 0.75, compare("exposure", operator.gt, 0.75)),
    Case(">= nested", Key("detector.gain") >= 2, compare("detector.gain", operator.ge, 2)),
    Case("< text", Key("sample") < "c", compare("sample", operator.lt, "c")),
    Case(
        "In text",
        In("sample", ["beads", "tissue"]),
        lambda md: eq("sample", "beads")(md) or eq("sample", "tissue")(md),
    ),
    Case(
        "In mixed",
        In("temperature", [20, "room"]),
        lambda md: eq("temperature", 20)(md) or eq("temperature", "room")(md),
    ),
    Case("Contains substring", Contains("sample", "bead"), contains("sample", "bead")),
    Case("Contains list item", Contains("tags", "focus"), contains("tags", "focus")),
    Case(
        "Regex",
        Regex("sample", r"^[bB]eads(-\d)?$"),
        lambda md: (
            isinstance(flat(md, "sample"), str)
            and re.search(r"^[bB]eads(-\d)?$", md["sample"]) is not None
        ),
    ),
    Case("Regex operator", Regex("operator", "lace$"), lambda md: md["operator"].endswith("lace")),
    Case("FullText word", FullText("beads"), fulltext("beads")),
    Case("FullText two words", FullText("drift overnight"), fulltext("drift", "overnight")),
    Case("FullText prefix", FullText("calib*"), fulltext("calib", prefix=True)),
    Case(
        "FullText OR",
        FullText("mosaic OR bleach"),
        lambda md: fulltext("mosaic")(md) or fulltext("bleach")(md),
    ),
    Case(
        "TimeRange", TimeRange(T0 + 3600, T0 + 7200), lambda md: T0 + 3600 <= md["time"] < T0 + 7200
    ),
    Case(
        "TimeRange open end",
        TimeRange(since=T0 + 60 * 1100),
        lambda md: md["time"] >= T0 + 60 * 1100,
    ),
    Case("ScanID", ScanID(5, 77, 399), lambda md: md["scan_id"] in (5, 77, 399)),
    Case("partial uid", PartialUID("a"), lambda md: md["uid"].startswith("a")),
    Case(
        "stop key",
        Key("stop.exit_status") == "abort",
        lambda md: EXIT_STATUS[md["uid"]] == "abort",
    ),
    Case(
        "stop key and start key",
        (Key("stop.exit_status") != "success") & (Key("plan_name") == "scan"),
        lambda md: EXIT_STATUS[md["uid"]] != "success" and md["plan_name"] == "scan",
    ),
    Case(
        "AND by chaining",
        [Key("sample") == "beads", Key("plan_name") == "count"],
        lambda md: eq("sample", "beads")(md) and md["plan_name"] == "count",
    ),
    Case(
        "AND operator",
        (Key("binning") == 1) & (Key("operator") == "ada"),
        lambda md: md["binning"] == 1 and md["operator"] == "ada",
    ),
    Case(
        "OR operator",
        (Key("sample") == "tissue") | (Key("plan_name") == "tile"),
        lambda md: eq("sample", "tissue")(md) or md["plan_name"] == "tile",
    ),
    Case("NOT", Not(Key("flag") == True), lambda md: md["flag"] is not True),  # noqa: E712
    Case(
        "OR of AND and FullText",
        ((Key("binning") == 4) & FullText("live")) | ScanID(1),
        lambda md: (md["binning"] == 4 and fulltext("live")(md)) or md["scan_id"] == 1,
    ),
]


@pytest.mark.parametrize("probe_rows", [2000, 7], ids=["sort-matches", "walk-time-index"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_query_matches_python_filter(
    case: Case,
    probe_rows: int,
    generated: tuple[Catalog, list[Md]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the catalog sorts few matches itself and walks its time index for many: test both plans
    monkeypatch.setattr(_select, "PROBE_ROWS", probe_rows)
    catalog, starts = generated
    view = catalog
    for query in case.query if isinstance(case.query, list) else [case.query]:
        view = view.search(query)
    newest_first = sorted(starts, key=lambda md: md["time"], reverse=True)
    expected = [md["uid"] for md in newest_first if case.expected(md)]
    assert 0 < len(expected) < N_RUNS, "the generated metadata must make this case meaningful"
    assert list(view.keys()) == expected
    assert len(view) == len(expected)
    assert [run.uid for run in view.head(3)] == expected[:3]


def test_iteration_is_newest_first(generated: tuple[Catalog, list[Md]]) -> None:
    catalog, starts = generated
    newest_first = [md["uid"] for md in sorted(starts, key=lambda md: md["time"], reverse=True)]
    assert len(catalog) == N_RUNS
    assert list(catalog.keys()) == newest_first
    beads = list(catalog.search(Key("sample") == "beads").keys())
    assert beads == [uid for uid in newest_first if uid in set(beads)]


def test_lookup_by_index_uid_prefix_and_scan_id(generated: tuple[Catalog, list[Md]]) -> None:
    catalog, starts = generated
    by_time = sorted(starts, key=lambda md: md["time"])
    assert catalog[-1].uid == by_time[-1]["uid"]
    assert catalog[-3].uid == by_time[-3]["uid"]
    some = starts[123]
    assert catalog[some["uid"]].start == {**some, **catalog[some["uid"]].start}
    assert catalog[some["uid"][:13]].uid == some["uid"]
    # scan ids repeat three times: the newest run with that id wins
    with_scan_7 = [md for md in starts if md["scan_id"] == 7]
    assert catalog[7].uid == max(with_scan_7, key=lambda md: md["time"])["uid"]
    # lookups honour the view they are made on
    beads = catalog.search(Key("sample") == "beads")
    newest_beads = max(
        (md for md in starts if eq("sample", "beads")(md)), key=lambda md: md["time"]
    )
    assert beads[-1].uid == newest_beads["uid"]
    assert some["uid"] in catalog
    assert "no-such-uid" not in catalog
