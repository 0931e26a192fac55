"""Documents to any destination: a file-like, an async writer over a socket, and suitcase-jsonl's
``[name, doc]`` lines; each read back by the matching reader.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import msgpack
from _export_helpers import microscope

from skyscope.documents import from_msgpack, loads_named
from skyscope.engine import Engine
from skyscope.exporters import AsyncSinkExporter, JSONLExporter, SinkExporter, read_jsonl
from skyscope.plans import count


async def _run_count(*subscribers: object) -> list[tuple[str, dict]]:
    scope = await microscope()
    seen: list[tuple[str, dict]] = []
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(lambda name, doc: seen.append((name, doc)))
    for subscriber in subscribers:
        engine.subscribe(subscriber)
    await engine(count([scope.camera], 3))
    return seen


async def test_jsonl_and_msgpack_to_in_memory_buffers() -> None:
    text, binary = io.BytesIO(), io.BytesIO()
    as_jsonl, as_msgpack = SinkExporter(text), SinkExporter(binary, format="msgpack")
    seen = await _run_count(as_jsonl, as_msgpack)
    as_jsonl.close()
    lines = text.getvalue().decode().splitlines()
    assert [loads_named(line)[0] for line in lines] == [name for name, _ in seen]
    unpacker = msgpack.Unpacker(io.BytesIO(binary.getvalue()), raw=False)
    back = [from_msgpack(msgpack.packb(message)) for message in unpacker]
    assert [m["name"] for m in back] == [name for name, _ in seen]
    frames = [m["doc"]["data"]["scope-camera-image"] for m in back if m["name"] == "event"]
    assert [f.dtype for f in frames] == ["uint16"] * 3  # msgpack keeps arrays exact


async def test_an_async_sink_over_a_loopback_socket() -> None:
    received = bytearray()
    done = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.extend(await reader.read())
        writer.close()
        done.set()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _, client = await asyncio.open_connection("127.0.0.1", port)

    async def send(data: bytes) -> None:
        client.write(data)
        await client.drain()

    exporter = AsyncSinkExporter(send, format="jsonl-pairs")
    seen = await _run_count(exporter)
    client.close()
    await client.wait_closed()
    await done.wait()
    server.close()
    await server.wait_closed()
    lines = received.decode().splitlines()
    assert exporter.count == len(seen) == len(lines)
    assert all(line.startswith('["') for line in lines)


async def test_suitcase_pairs_and_named_lines_read_back_alike(tmp_path: Path) -> None:
    pairs, named = JSONLExporter(tmp_path / "pairs", pairs=True), JSONLExporter(tmp_path / "n")
    seen = await _run_count(pairs, named)
    pairs.close()
    named.close()
    (pairs_file,), (named_file,) = pairs.paths, named.paths
    assert pairs_file.read_text().startswith('["start",')
    from_pairs, from_named = list(read_jsonl(pairs_file)), list(read_jsonl(named_file))
    assert from_pairs == from_named
    assert [name for name, _ in from_pairs] == [name for name, _ in seen]
