"""bluesky's own `test_suspenders` run against skyscope's engine (see conftest.py)."""

from bluesky.tests.test_suspenders import *  # noqa: F403
