"""The simulated microscope's users' fixtures, used here as users would use them."""

from skyscope.devices.testing._sim_fixtures import (
    sim_ca_ioc,
    sim_microscope,
    sim_microscope_factory,
    sim_microscope_hdf5,
)

__all__ = ["sim_ca_ioc", "sim_microscope", "sim_microscope_factory", "sim_microscope_hdf5"]
