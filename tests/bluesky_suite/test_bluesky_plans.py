"""bluesky's own `test_plans` run against skyscope's engine (see conftest.py)."""

from bluesky.tests.test_plans import *  # noqa: F403
