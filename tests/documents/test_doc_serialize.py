"""JSON and msgpack round trips keep every value a document can hold."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _document_samples import CONTENTS, compose_sample_run

from skyscope.documents import (
    DOCUMENT_NAMES,
    dumps_named,
    from_json,
    from_msgpack,
    loads_named,
    to_json,
    to_msgpack,
    validate,
)

VALUES: dict[str, Any] = {
    "float": 1.25,
    "int": -3,
    "big int": 2**62,
    "bool": True,
    "none": None,
    "string": "µm 🔬",
    "nan-free list": [1, 2.5, "x", None, False],
    "nested": {"a": {"b": [1, {"c": "d"}]}},
    "np float64": np.float64(0.1),
    "np float32": np.float32(0.5),
    "np int64": np.int64(-7),
    "np uint16": np.uint16(65535),
    "np bool": np.bool_(False),
    "np str": np.str_("text"),
    "uint16 image": np.arange(12, dtype=np.uint16).reshape(3, 4),
    "float32 stack": np.linspace(0, 1, 24, dtype=np.float32).reshape(2, 3, 4),
    "big-endian ints": np.arange(5, dtype=">i4"),
    "complex": np.array([1 + 2j, 3 - 4j]),
    "0-d array": np.array(2.5),
    "empty array": np.zeros((0, 3)),
    "bool array": np.array([True, False]),
    "unicode array": np.array(["10x", "40x"]),
    "structured": np.array([(1.0, 2), (3.0, 4)], dtype=[("x", "<f8"), ("n", "<i4")]),
    "non-contiguous": np.arange(20.0).reshape(4, 5)[:, ::2],
}


def _same(after: Any, before: Any, exact_arrays: bool) -> bool:
    """Equal values; with ``exact_arrays`` arrays must keep dtype and shape too."""
    if isinstance(before, np.ndarray):
        if exact_arrays:
            return (
                isinstance(after, np.ndarray)
                and after.dtype == before.dtype
                and after.shape == before.shape
                and np.array_equal(after, before)
            )
        return bool(
            np.array_equal(np.asarray(after, dtype=before.dtype).reshape(before.shape), before)
        )
    if isinstance(before, np.generic):
        return type(after) in (int, float, bool, str) and after == before.item()
    if isinstance(before, dict):
        return after.keys() == before.keys() and all(
            _same(after[k], before[k], exact_arrays) for k in before
        )
    if isinstance(before, list | tuple):
        return len(after) == len(before) and all(
            _same(a, b, exact_arrays) for a, b in zip(after, before, strict=True)
        )
    return type(after) is type(before) and after == before


@pytest.mark.parametrize("name", sorted(VALUES))
def test_msgpack_keeps_values_and_arrays_exactly(name: str) -> None:
    doc = {"value": VALUES[name]}
    assert _same(from_msgpack(to_msgpack(doc)), doc, exact_arrays=True)


# JSON has no complex numbers, and structured rows come back as plain lists.
JSON_VALUES = sorted(set(VALUES) - {"complex", "structured"})


@pytest.mark.parametrize("name", JSON_VALUES)
def test_json_keeps_values_with_arrays_as_lists(name: str) -> None:
    doc = {"value": VALUES[name]}
    text = to_json(doc)
    assert _same(from_json(text), doc, exact_arrays=False)
    assert "np." not in text


@pytest.mark.parametrize("contents", sorted(CONTENTS))
def test_every_composed_document_round_trips(contents: str) -> None:
    docs = compose_sample_run(CONTENTS[contents])
    assert {name for name, _ in docs} == set(DOCUMENT_NAMES)
    for name, doc in docs:
        packed = from_msgpack(to_msgpack(doc))
        assert _same(packed, doc, exact_arrays=True)
        assert validate(name, packed) is packed
        line_name, line_doc = loads_named(dumps_named(name, doc))
        assert line_name == name
        assert _same(line_doc, doc, exact_arrays=False)
        assert validate(name, line_doc) is line_doc


def test_named_line_is_one_json_object_on_one_line() -> None:
    line = dumps_named("event", {"data": {"img": np.eye(2)}})
    assert "\n" not in line
    assert from_json(line) == {"name": "event", "doc": {"data": {"img": [[1.0, 0.0], [0.0, 1.0]]}}}


def test_values_no_format_can_carry_are_refused_by_name() -> None:
    with pytest.raises(TypeError, match="complex"):
        to_json({"z": 1j})
    with pytest.raises(TypeError, match="object"):
        to_msgpack({"o": object()})
