"""Ports for the local servers: outside the kernel's ephemeral range, never handed out twice."""

from __future__ import annotations

import socket

import pytest

from deploy import ports


@pytest.mark.parametrize(("text", "expected"), [
    ("32768\t60999\n", (32768, 60999)),
    ("1024 65000", (1024, 65000)),
    ("garbage", (32768, 60999)),
    ("", (32768, 60999)),
])
def test_ephemeral_range_is_read_or_defaults_to_linux(text: str, expected: tuple[int, int]) -> None:
    assert ports.ephemeral_range(text) == expected


def test_quiet_band_is_the_wider_side_outside_the_ephemeral_range() -> None:
    assert ports.quiet_band((32768, 60999)) == range(10000, 32768)
    assert ports.quiet_band((10500, 40000)) == range(40001, 65536)
    assert ports.quiet_band((1024, 65000)) is None  # too narrow on both sides: the kernel chooses


def test_free_ports_are_distinct_bindable_and_outside_the_ephemeral_range() -> None:
    low, high = ports.ephemeral_range()
    handed = [ports.free_port() for _ in range(50)]
    assert len(set(handed)) == len(handed)
    if ports.quiet_band((low, high)) is not None:
        assert not [port for port in handed if low <= port <= high]
    for port in handed[:5]:
        with socket.socket() as server:
            server.bind(("127.0.0.1", port))
            server.listen()


def test_a_port_with_a_listener_is_not_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        taken = server.getsockname()[1]
        band = range(taken, taken + 2)
        monkeypatch.setattr(ports, "quiet_band", lambda _range: band)
        monkeypatch.setattr(ports, "_handed_out", set())
        for _ in range(10):
            port = ports.free_port()
            assert port != taken
            ports._handed_out.discard(port)
