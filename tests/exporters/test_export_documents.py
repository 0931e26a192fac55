"""JSONL, msgpack and CSV exporters, live on the engine and after the fact, and their routing."""

from __future__ import annotations

import csv
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _export_helpers import IMAGE, RecordingHDF5Writer, microscope, plain, run

from skyscope.documents import RunComposer
from skyscope.exporters import CSVExporter, JSONLExporter, MsgpackExporter, read_jsonl, read_msgpack
from skyscope.plans import baseline_wrapper, count, scan


async def _focus_scan(tmp_path: Path, *exporters: Any, writer: bool = True) -> Any:
    """A 4-point focus scan of the camera (frames to HDF5, or inline), with a baseline."""
    scope = await microscope(RecordingHDF5Writer(tmp_path / "frames") if writer else None)
    plan = baseline_wrapper(
        scan([scope.camera], scope.focus, 2490.0, 2510.0, num=4), [scope.light, scope.objective]
    )
    result, docs = await run(plan, *exporters, operator="ada")
    assert result.exit_status == "success"
    return result, docs


async def test_jsonl_live_holds_every_document_in_order(tmp_path: Path) -> None:
    exporter = JSONLExporter(tmp_path / "out")
    result, docs = await _focus_scan(tmp_path, exporter)
    (uid,) = result.run_start_uids
    (path,) = exporter.files[uid]
    assert path == tmp_path / "out" / f"{docs.of('start')[0]['scan_id']}-{uid[:8]}.jsonl"
    assert exporter.open_runs == []
    assert list(read_jsonl(path)) == plain(docs.docs)
    assert {"stream_resource", "stream_datum", "event", "stop"} <= {n for n, _ in docs.docs}


async def test_msgpack_keeps_inline_arrays_exact(tmp_path: Path) -> None:
    exporter = MsgpackExporter(tmp_path)
    _, docs = await _focus_scan(tmp_path, exporter, writer=False)
    read = list(read_msgpack(exporter.paths[0]))
    assert [name for name, _ in read] == [name for name, _ in docs.docs]
    events = [doc for name, doc in read if name == "event"]
    originals = docs.of("event")
    primary = [e for e in originals if IMAGE in e["data"]]
    assert len(primary) == 4
    for got, sent in zip([e for e in events if IMAGE in e["data"]], primary, strict=True):
        image = got["data"][IMAGE]
        assert isinstance(image, np.ndarray)
        assert image.dtype == sent["data"][IMAGE].dtype
        assert image.tobytes() == sent["data"][IMAGE].tobytes()
    assert plain(read) == plain(docs.docs)


def test_a_msgpack_file_cut_short_gives_its_whole_messages_then_an_error(tmp_path: Path) -> None:
    run_docs = _hand_made_run()
    exporter = MsgpackExporter(tmp_path)
    (path,) = exporter.export(run_docs)
    data = path.read_bytes()
    path.write_bytes(data[:-3])
    reader = read_msgpack(path)
    whole = [next(reader) for _ in range(len(run_docs) - 1)]
    assert plain(whole) == plain(run_docs[:-1])
    with pytest.raises(ValueError, match="incomplete message"):
        next(reader)


async def test_csv_has_one_file_per_stream_with_scalar_columns(tmp_path: Path) -> None:
    exporter = CSVExporter(tmp_path, file_stem="run{scan_id}")
    _, docs = await _focus_scan(tmp_path, exporter, writer=False)
    scan_id = docs.of("start")[0]["scan_id"]
    assert [p.name for p in exporter.paths] == [
        f"run{scan_id}-baseline.csv",
        f"run{scan_id}-primary.csv",
    ]
    assert exporter.skipped["primary"] == {IMAGE: "array of shape [48, 64]"}
    descriptors = {d["uid"]: d for d in docs.of("descriptor")}
    for path in exporter.paths:
        stream = path.stem.split("-", 1)[1]
        with path.open(newline="") as file:
            rows = list(csv.DictReader(file))
        events = [e for e in docs.of("event") if descriptors[e["descriptor"]]["name"] == stream]
        assert len(rows) == len(events)
        for row, event in zip(rows, events, strict=True):
            assert float(row["time"]) == event["time"]
            assert int(row["seq_num"]) == event["seq_num"]
            scalars = {k: v for k, v in event["data"].items() if k != IMAGE}
            assert set(row) == {"time", "seq_num", *scalars}
            for key, value in scalars.items():
                assert row[key] == str(value)


def _hand_made_run(exit_status: str = "success") -> list[tuple[str, Any]]:
    """A run written with the document composer: a stream, an event page and strings."""
    composer = RunComposer({"scan_id": 7, "plan_name": "by hand"})
    keys = {
        "x": {"source": "x", "dtype": "number", "shape": [], "dtype_numpy": "<f8"},
        "n": {"source": "n", "dtype": "integer", "shape": []},
        "label": {"source": "l", "dtype": "string", "shape": []},
    }
    stream = composer.descriptor("primary", keys)
    first = stream.event({"x": 0.5, "n": 1, "label": "a,b"}, {"x": 1.0, "n": 1.0, "label": 1.0})
    page = stream.event_page(
        {"x": [1.5, 2.5], "n": [2, 3], "label": ['say "hi"', "c"]},
        {"x": [2.0, 3.0], "n": [2.0, 3.0], "label": [2.0, 3.0]},
    )
    stop = composer.stop(exit_status, "it broke" if exit_status == "fail" else "")  # type: ignore[arg-type]
    return [
        ("start", composer.start),
        ("descriptor", stream.doc),
        ("event", first),
        ("event_page", page),
        ("stop", stop),
    ]


def test_csv_writes_event_pages_row_by_row_and_quotes_text(tmp_path: Path) -> None:
    exporter = CSVExporter(tmp_path)
    (path,) = exporter.export(_hand_made_run())
    with path.open(newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["time", "seq_num", "x", "n", "label"]
    assert [row[1:] for row in rows[1:]] == [
        ["1", "0.5", "1", "a,b"],
        ["2", "1.5", "2", 'say "hi"'],
        ["3", "2.5", "3", "c"],
    ]


def test_exporting_stored_documents_gives_the_same_files_as_live(tmp_path: Path) -> None:
    documents = _hand_made_run()
    live = JSONLExporter(tmp_path / "live")
    for name, doc in documents:
        live(name, doc)
    after = JSONLExporter(tmp_path / "after").export(documents)
    assert after[0].read_bytes() == live.paths[0].read_bytes()
    assert after[0].name == live.paths[0].name


def _assert_all_written(exporter: Any, documents: list[tuple[str, Any]]) -> None:
    """The run is closed and its one file holds every document (CSV: every row)."""
    assert exporter.open_runs == []
    (path,) = exporter.paths
    if isinstance(exporter, CSVExporter):
        assert len(path.read_text().splitlines()) == 4
    else:
        reader = read_jsonl if isinstance(exporter, JSONLExporter) else read_msgpack
        assert plain(reader(path)) == plain(documents)


@pytest.mark.parametrize("exporter_type", [JSONLExporter, MsgpackExporter, CSVExporter])
def test_a_failed_run_is_flushed_and_closed_at_its_stop(tmp_path: Path, exporter_type: Any) -> None:
    documents = _hand_made_run("fail")
    exporter = exporter_type(tmp_path)
    for name, doc in documents:
        exporter(name, doc)
    _assert_all_written(exporter, documents)


@pytest.mark.parametrize("exporter_type", [JSONLExporter, MsgpackExporter, CSVExporter])
def test_close_flushes_a_run_that_never_stopped(tmp_path: Path, exporter_type: Any) -> None:
    documents = _hand_made_run()[:-1]
    with exporter_type(tmp_path) as exporter:
        for name, doc in documents:
            exporter(name, doc)
        assert exporter.open_runs == [documents[0][1]["uid"]]
    _assert_all_written(exporter, documents)


def test_interleaved_runs_go_to_their_own_files(tmp_path: Path) -> None:
    one, two = _hand_made_run(), _hand_made_run("fail")
    exporter = JSONLExporter(tmp_path, file_stem="{plan_name}-{uid}")
    for pair in zip(one, two, strict=True):
        for name, doc in pair:
            exporter(name, doc)
    for documents in (one, two):
        (path,) = exporter.files[documents[0][1]["uid"]]
        assert path.name == f"by hand-{documents[0][1]['uid']}.jsonl"
        assert plain(read_jsonl(path)) == plain(documents)


def test_documents_of_an_unknown_run_are_refused(tmp_path: Path) -> None:
    documents = _hand_made_run()
    exporter = CSVExporter(tmp_path)
    with pytest.raises(ValueError, match="belongs to no run this exporter saw the start of"):
        exporter(*documents[1])
    exporter(*documents[0])
    with pytest.raises(ValueError, match="started twice"):
        exporter(*documents[0])
    exporter.close()


def test_file_names_come_from_a_template_that_must_fit(tmp_path: Path) -> None:
    documents = _hand_made_run()
    with pytest.raises(ValueError, match="'sample'"):
        JSONLExporter(tmp_path, file_stem="{sample}").export(documents)
    with pytest.raises(ValueError, match="not a file name"):
        JSONLExporter(tmp_path, file_stem="a/{uid}").export(documents)
    JSONLExporter(tmp_path, file_stem="scan{scan_id:04d}").export(documents)
    assert (tmp_path / "scan0007.jsonl").exists()
    with pytest.raises(FileExistsError):
        JSONLExporter(tmp_path, file_stem="scan{scan_id:04d}").export(documents)


def test_csv_starts_a_new_file_when_a_streams_columns_change(tmp_path: Path) -> None:
    documents = _hand_made_run()
    start, descriptor, event = (documents[i][1] for i in range(3))
    changed = {**descriptor, "uid": "d2", "data_keys": {"x": descriptor["data_keys"]["x"]}}
    later = {**event, "uid": "e2", "descriptor": "d2", "seq_num": 2, "data": {"x": 9.0}}
    same = {**descriptor, "uid": "d3"}
    again = {**event, "uid": "e3", "descriptor": "d3", "seq_num": 3}
    exporter = CSVExporter(tmp_path)
    exporter.export(
        [("start", start), ("descriptor", descriptor), ("event", event),
         ("descriptor", changed), ("event", later), ("descriptor", same), ("event", again)]
    )  # fmt: skip
    first, second = exporter.paths
    assert second.name.endswith("-primary-2.csv")
    assert len(first.read_text().splitlines()) == 3  # header, event, again
    assert second.read_text().splitlines()[0] == "time,seq_num,x"


async def _two_runs(camera: Any) -> AsyncGenerator[Any, Any]:
    yield count([camera], 2)
    yield count([camera], 3)


async def test_one_exporter_follows_many_runs_on_the_engine(tmp_path: Path) -> None:
    exporter = CSVExporter(tmp_path)
    scope = await microscope()
    result, _ = await run(_two_runs(scope.camera), exporter)
    assert len(result.run_start_uids) == 2
    lengths = [
        len(exporter.files[uid][0].read_text().splitlines()) for uid in result.run_start_uids
    ]
    assert lengths == [3, 4]
