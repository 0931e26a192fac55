"""bluesky's own `test_streams` run against skyscope's engine (see conftest.py)."""

import warnings

with warnings.catch_warnings():  # bluesky.examples warns at import that it moved to ophyd.sim
    warnings.simplefilter("ignore", UserWarning)
    from bluesky.tests.test_streams import *  # noqa: F403
