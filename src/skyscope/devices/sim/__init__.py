"""skyscope.devices.sim: the simulated widefield fluorescence microscope."""

__all__: list[str] = []
