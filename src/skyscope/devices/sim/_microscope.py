"""``Microscope``: one device tree holding every part of the simulated widefield microscope.

``scope.xy`` (the XY stage: ``scope.xy.x``, ``scope.xy.y``), ``scope.focus``, ``scope.objective``,
``scope.filter_wheel``, ``scope.light``, ``scope.shutter`` and ``scope.camera`` are ordinary
skyscope devices; each tells the shared ``MicroscopeModel`` (``scope.model``) its state, and the
camera renders frames from it. The XY stage is not called ``stage``: bluesky stages the root of
a device tree by calling ``root.stage()``, which a child of that name would shadow.
"""

from __future__ import annotations

from ...writers import FrameWriter
from .. import Device, Status
from ._axis import FocusDrive, XYStage
from ._camera import SimCamera
from ._light import LightSource
from ._model import MicroscopeModel, RenderMode
from ._optics import DEFAULT_CHANNELS, DEFAULT_OBJECTIVES, Channel, Objective
from ._sample import SampleSpec
from ._selectors import FilterWheel, ObjectiveTurret, Shutter
from ._sensor import CameraSettings, SensorSpec
from ._synth import NoiseModel

_FOCUS_TRAVEL_UM = (0.0, 10000.0)


class Microscope(Device):
    """The simulated microscope, deterministic for a ``seed``; ``connect()`` connects it all."""

    def __init__(
        self,
        name: str = "scope",
        *,
        seed: int = 0,
        sample: SampleSpec | None = None,
        sensor: SensorSpec | None = None,
        camera: CameraSettings | None = None,
        objectives: tuple[Objective, ...] = DEFAULT_OBJECTIVES,
        channels: tuple[Channel, ...] = DEFAULT_CHANNELS,
        objective: int = 2,
        channel: int = 1,
        mode: RenderMode = "physics",
        noise: NoiseModel = "fast",
        drift_um_per_s: tuple[float, float, float] = (0.0, 0.0, 0.0),
        writer: FrameWriter | None = None,
        realtime: bool = True,
    ) -> None:
        """Build the model from ``seed`` and the parts around it, focused on the sample surface."""
        spec = sample if sample is not None else SampleSpec()
        self.model = MicroscopeModel(
            seed=seed,
            sample_spec=spec,
            sensor=sensor if sensor is not None else SensorSpec(),
            camera=camera if camera is not None else CameraSettings(),
            objectives=objectives,
            channels=channels,
            objective=objective,
            channel=channel,
            mode=mode,
            noise=noise,
            drift_um_per_s=drift_um_per_s,
        )
        half_w, half_h = spec.width_um / 2, spec.height_um / 2
        self.xy = XYStage(
            limits=((-half_w, half_w), (-half_h, half_h)), on_position=self._stage_moved
        )
        self.focus = FocusDrive(
            position=self.model.focus_um, limits=_FOCUS_TRAVEL_UM, on_position=self._focus_moved
        )
        self.objective = ObjectiveTurret(
            objectives=objectives, initial=objective, on_change=self._objective_changed
        )
        self.filter_wheel = FilterWheel(
            channels=channels, initial=channel, on_change=self._channel_changed
        )
        self.light = LightSource(power=self.model.light_power, on_change=self._light_changed)
        self.shutter = Shutter(on_change=self._shutter_changed)
        self.camera = SimCamera(self.model, writer=writer, realtime=realtime)
        super().__init__(name)

    @property
    def pixel_size_um(self) -> float:
        """The size of a camera pixel at the sample, for the objective and binning in use."""
        return float(self.model.pixel_size_um())

    def stage(self) -> Status[None]:
        """Stage the camera (bluesky stages a device's root, so the whole microscope)."""
        return Status(self._in_camera("stage"), name=self.name, action="stage()")

    def unstage(self) -> Status[None]:
        """Unstage the camera: stop a running sequence and close its file."""
        return Status(self._in_camera("unstage"), name=self.name, action="unstage()")

    async def _in_camera(self, verb: str) -> None:
        await getattr(self.camera, verb)()

    def _stage_moved(self, x_um: float, y_um: float) -> None:
        self.model.x_um, self.model.y_um = x_um, y_um

    def _focus_moved(self, z_um: float) -> None:
        self.model.z_um = z_um

    def _objective_changed(self, index: int) -> None:
        self.model.objective = index

    def _channel_changed(self, index: int) -> None:
        self.model.channel = index

    def _light_changed(self, enabled: bool, power: float) -> None:
        self.model.light_on, self.model.light_power = enabled, power

    def _shutter_changed(self, index: int) -> None:
        self.model.shutter_open = index == 1
