"""``DemoWorld``: what the demo devices share, so the camera sees where the stages are.

A Micro-Manager device cannot ask the core about other devices, so the demo stage, XY stage,
filter wheel and turret write their state here and the demo camera renders from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DemoWorld:
    """The state of the demo microscope: stage position, filter, objective, best focus."""

    x_um: float = 0.0
    y_um: float = 0.0
    z_um: float = 0.0
    channel: int = 0
    objective: int = 0
    focus_um: float = 0.0
    """Where the sample is in focus: frames are sharpest with the focus stage here."""
    depth_of_field_um: float = 4.0
    """How fast contrast falls away from focus (the Gaussian's width)."""


SHARED_WORLD = DemoWorld()
"""The world of demo devices built without one (as a ``.cfg`` file builds them)."""
