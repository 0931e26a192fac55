"""skyscope.plans."""

__all__: list[str] = []
