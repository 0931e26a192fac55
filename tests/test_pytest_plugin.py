"""A user's simulation suite, run in its own pytest process with skyscope's plugin enabled."""

from __future__ import annotations

import pytest

USER_SUITE = """
pytest_plugins = ["skyscope.pytest_plugin"]

from skyscope.plans import count, rel_scan


async def test_count_with_the_simulated_camera(engine, sim_microscope, run_documents):
    result = await engine(count([sim_microscope.camera], 2))
    assert result.exit_status == "success"
    assert [name for name, _ in run_documents].count("event") == 2


async def test_focus_scan(engine, sim_microscope, run_documents):
    scope = sim_microscope
    await engine(rel_scan([scope.camera], scope.focus, -5, 5, num=3))
    assert run_documents[-1][1]["num_events"] == {"primary": 3}
"""


def test_users_can_write_simulation_suites(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(conftest=USER_SUITE.split("\n\nfrom")[0], test_user=USER_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
