"""The EPICS tests run against the real test IOC (a caproto subprocess) on loopback."""

from skyscope.devices.testing.fixtures import ca_ioc, ca_restartable_ioc

__all__ = ["ca_ioc", "ca_restartable_ioc"]
