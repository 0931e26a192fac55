"""Persistent metadata, scan ids, validators and the metadata that reaches start documents."""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Mapping
from typing import Any

import pytest

from skyscope._paths import metadata_path
from skyscope.engine import Engine, PersistentDict
from skyscope.plans import count, inject_md_wrapper


async def test_md_persists_across_engines_with_scan_ids(det, recorder) -> None:
    first = Engine(handle_sigint=False)
    first.md["operator"] = "ada"
    await first(count([det]))
    second = Engine(handle_sigint=False)
    second.subscribe(recorder)
    await second(count([det]))
    start = recorder.of("start")[0]
    assert start["operator"] == "ada"
    assert start["scan_id"] == 2
    assert isinstance(second.md, PersistentDict)
    second.md.flush()  # written by the md writer thread, off the loop
    assert json.loads(metadata_path().read_text())["scan_id"] == 2


async def test_call_metadata_beats_plan_beats_persistent(det, recorder) -> None:
    engine = Engine(md={"sample": "persistent", "operator": "ada"}, handle_sigint=False)
    engine.subscribe(recorder)
    await engine(count([det], md={"sample": "from plan", "purpose": "x"}), sample="call")
    start = recorder.of("start")[0]
    assert (start["sample"], start["purpose"], start["operator"]) == ("call", "x", "ada")
    assert start["plan_args"]["num"] == 1


async def test_the_validator_refuses_a_run_before_it_starts(det, recorder) -> None:
    def need_sample(md: Mapping[str, Any]) -> None:
        if "sample" not in md:
            raise ValueError("every run needs a 'sample'")

    engine = Engine(md={}, md_validator=need_sample, handle_sigint=False)
    engine.subscribe(recorder)
    with pytest.raises(ValueError, match="needs a 'sample'"):
        await engine(count([det]))
    assert recorder.docs == []
    await engine(count([det]), sample="beads")
    assert recorder.of("start")[0]["sample"] == "beads"


async def test_inject_md_wrapper_adds_to_every_start(det, recorder, engine) -> None:
    await engine(inject_md_wrapper(count([det]), {"project": "mitosis"}))
    assert recorder.of("start")[0]["project"] == "mitosis"


def test_persistent_dict_refuses_unsaveable_values(tmp_path) -> None:
    md = PersistentDict(tmp_path / "md.json")
    md["ok"] = [1, 2]
    with pytest.raises(TypeError):
        md["bad"] = object()
    assert dict(PersistentDict(tmp_path / "md.json")) == {"ok": [1, 2]}


async def test_persistent_dict_writes_off_the_loop_thread(tmp_path) -> None:
    md = PersistentDict(tmp_path / "md.json")
    writers: list[str] = []
    real_write = md._write_latest

    def spy() -> None:
        writers.append(threading.current_thread().name)
        real_write()

    md._write_latest = spy  # type: ignore[method-assign]
    md["scan_id"] = 7
    md.flush()
    assert writers
    assert threading.current_thread().name not in writers
    assert json.loads((tmp_path / "md.json").read_text()) == {"scan_id": 7}


def test_a_failed_metadata_write_is_raised_by_flush(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    md = PersistentDict(tmp_path / "md.json")
    md.path = blocker / "md.json"  # its folder is a file: the write fails
    md["scan_id"] = 1
    with pytest.raises(OSError):
        md.flush()


def test_a_corrupt_metadata_file_is_named(tmp_path) -> None:
    path = tmp_path / "md.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match=r"md\.json is not valid JSON"):
        PersistentDict(path)


async def test_call_metadata_a_document_cannot_store_is_refused_with_a_fix(
    det, recorder, engine
) -> None:
    when = datetime.datetime(2026, 1, 2, 3, 4, 5)
    with pytest.raises(ValueError, match=r"run metadata key 'when' holds a datetime.*isoformat"):
        await engine(count([det]), when=when)
    assert recorder.docs == []
    await engine(count([det]), when=when.isoformat())
    assert recorder.of("start")[0]["when"] == "2026-01-02T03:04:05"


async def test_engine_md_and_plan_md_are_checked_too(det, recorder) -> None:
    engine = Engine(md={"tags": {"a", "b"}}, handle_sigint=False)
    engine.subscribe(recorder)
    with pytest.raises(ValueError, match=r"engine\.md key 'tags' holds a set.*sorted\(value\)"):
        await engine(count([det]))
    engine.md["tags"] = ["a", "b"]
    with pytest.raises(ValueError, match=r"plan metadata key 'raw' holds a bytes"):
        await engine(count([det], md={"raw": b"\x00"}))
    assert recorder.docs == []


async def test_a_dotted_start_key_is_still_refused(det, recorder, engine) -> None:
    with pytest.raises(ValueError, match=r"run metadata keys must not contain '\.' or '/'"):
        await engine(count([det]), **{"a.b": 1})
    assert recorder.docs == []
