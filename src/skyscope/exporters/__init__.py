"""skyscope.exporters."""

__all__: list[str] = []
