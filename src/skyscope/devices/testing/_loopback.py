"""Channel Access on loopback only: free ports and the ``EPICS_CA_*`` variables for both ends.

Each IOC needs its own UDP port on 127.0.0.1 (two servers on one port: the second is never
found), listed as ``127.0.0.1:PORT`` in the client's ``EPICS_CA_ADDR_LIST``. libca reads these
variables once, when the first client call creates its context, so set them before that.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable

LOOPBACK = "127.0.0.1"


def is_port_free(port: int) -> bool:
    """Whether ``port`` can be bound on 127.0.0.1 for both UDP and TCP right now."""
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                return False
    return True


def free_port() -> int:
    """Return a port free for both UDP and TCP on 127.0.0.1 (as far as can be told now)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind((LOOPBACK, 0))
            port = int(probe.getsockname()[1])
        if is_port_free(port):
            return port
    raise OSError("found no port free for both UDP and TCP on 127.0.0.1")


def free_ports(count: int) -> list[int]:
    """Return ``count`` distinct ports, each free for UDP and TCP on 127.0.0.1."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def server_env(port: int, beacon_port: int) -> dict[str, str]:
    """The variables a loopback-only IOC runs with: serve on ``port``, beacon to ``beacon_port``."""
    return {
        "EPICS_CA_SERVER_PORT": str(port),
        "EPICS_CAS_INTF_ADDR_LIST": LOOPBACK,
        "EPICS_CAS_BEACON_ADDR_LIST": LOOPBACK,
        "EPICS_CAS_AUTO_BEACON_ADDR_LIST": "NO",
        "EPICS_CAS_BEACON_PORT": str(beacon_port),
        "EPICS_CA_REPEATER_PORT": str(beacon_port),
    }


def client_env(server_ports: Iterable[int], repeater_port: int) -> dict[str, str]:
    """The variables a client needs to find exactly these loopback IOCs (and nothing else)."""
    return {
        "EPICS_CA_AUTO_ADDR_LIST": "NO",
        "EPICS_CA_ADDR_LIST": " ".join(f"{LOOPBACK}:{port}" for port in server_ports),
        "EPICS_CA_REPEATER_PORT": str(repeater_port),
    }
