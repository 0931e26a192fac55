"""The simulated microscope's users' fixtures, used here as users would use them."""

from skyscope.devices.testing.fixtures import ca_restartable_ioc
from skyscope.devices.testing.sim_fixtures import (
    sim_ca_ioc,
    sim_microscope,
    sim_microscope_factory,
    sim_microscope_hdf5,
)

__all__ = [
    "ca_restartable_ioc",
    "sim_ca_ioc",
    "sim_microscope",
    "sim_microscope_factory",
    "sim_microscope_hdf5",
]
