"""skyscope.documents."""

__all__: list[str] = []
