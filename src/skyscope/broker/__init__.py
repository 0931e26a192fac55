"""skyscope.broker."""

__all__: list[str] = []
