"""Local TCP ports for the private servers the tools and tests start: a free one, and whether one answers.

Stdlib only, like the tools that import it (``deploy.localkafka`` runs before the virtualenv exists).
"""

from __future__ import annotations

import contextlib
import random
import socket
from pathlib import Path

__all__ = ["free_port", "port_open"]

_EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LINUX_DEFAULT_RANGE = (32768, 60999)
_LOWEST = 10000  # above the well-known and most registered service ports
_HIGHEST = 65535
_MIN_SPAN = 2000  # a narrower band outside the ephemeral range is left to the kernel's own choice
_TRIES = 200
_handed_out: set[int] = set()
_pick = random.SystemRandom()


def ephemeral_range(text: str | None = None) -> tuple[int, int]:
    """The ports the kernel gives outgoing connections (Linux's default where it cannot be read)."""
    if text is None:
        try:
            text = _EPHEMERAL_RANGE_FILE.read_text()
        except OSError:
            return _LINUX_DEFAULT_RANGE
    try:
        low, high = (int(part) for part in text.split())
    except ValueError:
        return _LINUX_DEFAULT_RANGE
    return low, high


def quiet_band(ephemeral: tuple[int, int]) -> range | None:
    """Ports outside the ephemeral range, or None when too few of them are left."""
    low, high = ephemeral
    below, above = range(_LOWEST, low), range(high + 1, _HIGHEST + 1)
    band = max(below, above, key=len)
    return band if len(band) >= _MIN_SPAN else None


def _bindable(host: str, port: int) -> bool:
    """Whether ``host:port`` and the wildcard address on it can be bound now (servers in containers
    on the host network bind the wildcard)."""
    for address in dict.fromkeys((host, "0.0.0.0")):  # noqa: S104 - a probe, closed at once
        with socket.socket() as probe:
            try:
                probe.bind((address, port))
            except OSError:
                return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, never the same one twice in a process.

    It is taken outside the kernel's ephemeral range: between this call and the server's bind, an
    outgoing connection (a Kafka client, a container's health probe) could otherwise be given the same
    port, and the server would then fail with "address already in use". The socket is still closed
    before the caller binds, so another process could take it in between: callers that start a server
    retry or fail loudly.
    """
    band = quiet_band(ephemeral_range())
    if band is not None:
        for _ in range(_TRIES):
            port = _pick.choice(band)
            if port not in _handed_out and _bindable(host, port):
                _handed_out.add(port)
                return port
    while True:  # no quiet band on this machine, or it is full: the kernel's choice
        with socket.socket() as probe:
            probe.bind((host, 0))
            port = int(probe.getsockname()[1])
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on ``host:port``."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False
