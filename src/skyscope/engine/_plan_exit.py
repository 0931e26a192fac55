"""A plan that raises GeneratorExit itself ends the execution, as bluesky's RunEngine ends it.

GeneratorExit is not an error a plan can catch: the engine does not throw it into the plans
around it but closes them, says which of them tried to yield while closed (their cleanup did
not run), and fails the run with a ``PlanExited`` caused by it.
"""

from __future__ import annotations

from ._driver import PlanDriver
from ._errors import PlanExited


async def close_after_exit(driver: PlanDriver, exit_: GeneratorExit) -> PlanExited:
    """Close the plans ``driver`` still holds; return the error the run fails with."""
    for plan in await driver.close():
        # bluesky's words, on stdout as bluesky prints them: the plan's author must fix it
        print(f"The plan {plan!r} tried to yield a value on close.  Please fix your plan.")
    error = PlanExited(exit_)
    error.__cause__ = exit_
    return error
