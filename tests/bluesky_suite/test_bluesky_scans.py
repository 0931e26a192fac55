"""bluesky's own `test_scans` run against skyscope's engine (see conftest.py)."""

from bluesky.tests.test_scans import *  # noqa: F403
