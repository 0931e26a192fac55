"""bluesky's own `test_multi_runs` run against skyscope's engine (see conftest.py)."""

from bluesky.tests.test_multi_runs import *  # noqa: F403
