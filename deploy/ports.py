"""Local TCP ports for the private servers the tools and tests start: a free one, and whether one answers.

Stdlib only, like the tools that import it (``deploy.localkafka`` runs before the virtualenv exists).
"""

from __future__ import annotations

import contextlib
import socket

__all__ = ["free_port", "port_open"]


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now. The socket is closed before the caller binds, so another
    process could take it in between: callers that start a server retry or fail loudly."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on ``host:port``."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False
