"""bluesky's own `test_run_engine` run against skyscope's engine (see conftest.py)."""

from bluesky.tests.test_run_engine import *  # noqa: F403
