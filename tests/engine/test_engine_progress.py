"""The terminal progress bar draws what watchable statuses report."""

from __future__ import annotations

import io

from rich.console import Console

from skyscope.devices import SoftMotor
from skyscope.engine import Engine, RichProgress
from skyscope.plans import mv, run_wrapper


async def test_rich_progress_draws_a_bar_per_device() -> None:
    out = io.StringIO()
    motor = SoftMotor("focus", velocity=5.0, units="um")
    await motor.connect()
    with RichProgress(console=Console(file=out, force_terminal=True, width=100)) as bar:
        engine = Engine(md={}, handle_sigint=False, progress=bar)
        await engine(run_wrapper(mv(motor, 1.0)))
    text = out.getvalue()
    assert "focus" in text
    assert "um" in text
