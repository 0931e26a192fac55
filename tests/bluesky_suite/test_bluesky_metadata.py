"""bluesky's own `test_metadata` run against skyscope's engine (see conftest.py)."""

from bluesky.tests.test_metadata import *  # noqa: F403
