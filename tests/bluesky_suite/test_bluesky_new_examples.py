"""bluesky's own `test_new_examples` run against skyscope's engine (see conftest.py)."""

from bluesky.tests.test_new_examples import *  # noqa: F403
