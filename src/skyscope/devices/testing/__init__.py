"""skyscope.devices.testing: test doubles and pytest fixtures for users' own suites."""

__all__: list[str] = []
