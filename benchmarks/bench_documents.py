"""Cost of composing validated documents: skyscope's RunComposer against event-model's compose_run.

Same inputs on both sides, in one process: a bluesky-like start (plan args, hints, sample), a
descriptor of seven data keys with configuration, object keys and hints, and events with
scalars, a string and a 16x16 image; ``event_scalars`` is the same event without the image
(event-model's validation walks array data, so that is its cheapest case). event-model
validates with its JSON schemas (its default, ``validate=True``); skyscope with pydantic and
its per-descriptor event checks. Also reported: ``skyscope.documents.validate("event", doc)``
(the general pydantic path, for documents devices hand the engine) and a 100-row event page.

    python benchmarks/bench_documents.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from event_model import compose_run

from skyscope.documents import RunComposer, validate

METADATA: dict[str, Any] = {
    "plan_name": "scan",
    "plan_type": "generator",
    "plan_args": {"detectors": ["camera", "pmt"], "num": 100, "args": ["stage_x", 0, 10]},
    "scan_id": 42,
    "detectors": ["camera", "pmt"],
    "motors": ["stage_x"],
    "num_points": 100,
    "num_intervals": 99,
    "hints": {"dimensions": [[["stage_x"], "primary"]]},
    "sample": {"name": "HeLa", "stain": "DAPI", "well": "B3"},
    "operator": "ada",
    "project": "mitosis",
}
DATA_KEYS: dict[str, Any] = {
    "stage_x": {
        "source": "sim://stage/x",
        "dtype": "number",
        "shape": [],
        "units": "um",
        "precision": 3,
        "limits": {"control": {"low": -5000.0, "high": 5000.0}},
    },
    "stage_x_setpoint": {"source": "sim://stage/x.sp", "dtype": "number", "shape": []},
    "pmt": {"source": "sim://pmt", "dtype": "number", "shape": [], "dtype_numpy": "<f8"},
    "pmt_counts": {"source": "sim://pmt/counts", "dtype": "integer", "shape": []},
    "objective": {
        "source": "sim://turret",
        "dtype": "string",
        "shape": [],
        "choices": ["10x", "40x", "60x"],
    },
    "shutter_open": {"source": "sim://shutter", "dtype": "boolean", "shape": []},
    "camera_thumb": {
        "source": "sim://camera/thumb",
        "dtype": "array",
        "shape": [16, 16],
        "dtype_numpy": "<u2",
    },
}
CONFIGURATION: dict[str, Any] = {
    "camera": {
        "data": {"camera_exposure": 0.01, "camera_gain": 2},
        "timestamps": {"camera_exposure": 1.7e9, "camera_gain": 1.7e9},
        "data_keys": {
            "camera_exposure": {"source": "sim://exp", "dtype": "number", "shape": []},
            "camera_gain": {"source": "sim://gain", "dtype": "integer", "shape": []},
        },
    },
}
OBJECT_KEYS = {
    "stage": ["stage_x", "stage_x_setpoint"],
    "pmt": ["pmt", "pmt_counts"],
    "turret": ["objective"],
    "shutter": ["shutter_open"],
    "camera": ["camera_thumb"],
}
HINTS = {"stage": {"fields": ["stage_x"]}, "pmt": {"fields": ["pmt"]}}
THUMB = np.arange(256, dtype=np.uint16).reshape(16, 16)
DATA = {
    "stage_x": 1.5,
    "stage_x_setpoint": 1.5,
    "pmt": 0.25,
    "pmt_counts": 1200,
    "objective": "40x",
    "shutter_open": True,
    "camera_thumb": THUMB,
}
TIMESTAMPS = dict.fromkeys(DATA, 1.7e9)
SCALAR_DATA = {key: value for key, value in DATA.items() if key != "camera_thumb"}
SCALAR_STAMPS = dict.fromkeys(SCALAR_DATA, 1.7e9)


def batch_us(fn: Callable[[], object], calls: int) -> float:
    """Mean time of one call in a batch of ``calls``, in µs."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def paired_us(
    ours: Callable[[], object], theirs: Callable[[], object], calls: int, repeats: int
) -> tuple[float, float]:
    """Medians of both sides, their batches alternating so both see the same machine load.

    event-model gets a tenth of the calls per batch (it is ~100x slower per call).
    """
    ours(), theirs()
    samples = [
        (batch_us(ours, calls), batch_us(theirs, max(1, calls // 10))) for _ in range(repeats)
    ]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def measure(calls: int, repeats: int) -> dict[str, float]:
    """Time both sides for start, descriptor and event (and skyscope's extra paths)."""
    run = RunComposer(METADATA)
    stream = run.descriptor(
        "primary", DATA_KEYS, configuration=CONFIGURATION, object_keys=OBJECT_KEYS, hints=HINTS
    )
    bundle = compose_run(metadata=METADATA)
    em_stream = bundle.compose_descriptor(
        name="primary",
        data_keys=DATA_KEYS,
        configuration=CONFIGURATION,
        object_keys=OBJECT_KEYS,
        hints=HINTS,
    )
    scalar_keys = {key: value for key, value in DATA_KEYS.items() if key in SCALAR_DATA}
    scalar_stream = run.descriptor("scalars", scalar_keys)
    em_scalar_stream = bundle.compose_descriptor(name="scalars", data_keys=scalar_keys)
    figures: dict[str, float] = {}
    pairs: dict[str, tuple[Callable[[], object], Callable[[], object], int]] = {
        "start": (lambda: RunComposer(METADATA), lambda: compose_run(metadata=METADATA), calls),
        "descriptor": (
            lambda: run.descriptor(
                "primary",
                DATA_KEYS,
                configuration=CONFIGURATION,
                object_keys=OBJECT_KEYS,
                hints=HINTS,
            ),
            lambda: bundle.compose_descriptor(
                name="primary",
                data_keys=DATA_KEYS,
                configuration=CONFIGURATION,
                object_keys=OBJECT_KEYS,
                hints=HINTS,
            ),
            calls,
        ),
        "event": (
            lambda: stream.event(DATA, TIMESTAMPS),
            lambda: em_stream.compose_event(data=DATA, timestamps=TIMESTAMPS),
            calls * 10,
        ),
        "event_scalars": (
            lambda: scalar_stream.event(SCALAR_DATA, SCALAR_STAMPS),
            lambda: em_scalar_stream.compose_event(data=SCALAR_DATA, timestamps=SCALAR_STAMPS),
            calls * 10,
        ),
    }
    for kind, (ours, theirs, count) in pairs.items():
        figures[f"us_{kind}_skyscope"], figures[f"us_{kind}_event_model"] = paired_us(
            ours, theirs, count, repeats
        )
    event = stream.event(DATA, TIMESTAMPS)
    page_data = {key: [value] * 100 for key, value in DATA.items()}
    page_stamps = {key: [1.7e9] * 100 for key in DATA}
    figures["us_validate_event_skyscope"] = statistics.median(
        batch_us(lambda: validate("event", event), calls * 10) for _ in range(repeats)
    )
    figures["us_event_page_100_skyscope"] = statistics.median(
        batch_us(lambda: stream.event_page(page_data, page_stamps), calls // 10)
        for _ in range(repeats)
    )
    return figures


def main() -> None:
    """Run the comparison and print the table, then the figures as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls (well under a minute)")
    args = parser.parse_args()
    calls, repeats = (200, 5) if args.quick else (1000, 9)
    figures = measure(calls, repeats)
    print(f"{'document':<14} {'skyscope µs':>12} {'event-model µs':>15} {'speedup':>8}")
    for kind in ("start", "descriptor", "event", "event_scalars"):
        ours, theirs = figures[f"us_{kind}_skyscope"], figures[f"us_{kind}_event_model"]
        figures[f"speedup_{kind}"] = theirs / ours
        print(f"{kind:<14} {ours:>12.2f} {theirs:>15.1f} {theirs / ours:>7.0f}x")
    print(
        f"validate('event', doc), the general pydantic path: "
        f"{figures['us_validate_event_skyscope']:.2f} µs"
    )
    print(f"event_page of 100 rows: {figures['us_event_page_100_skyscope']:.1f} µs")
    print(json.dumps({key: round(value, 3) for key, value in figures.items()}))


if __name__ == "__main__":
    main()
