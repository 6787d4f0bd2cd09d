from __future__ import annotations

import socket

import pytest

from tests.conftest import NetworkRefused


def test_connecting_beyond_loopback_is_refused_before_any_packet() -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(
            NetworkRefused, match=r"^test tried to connect to \('192\.0\.2\.1', 80\): only loopback is allowed"
        ):
            s.connect(("192.0.2.1", 80))  # TEST-NET-1, never routed
    finally:
        s.close()


def test_loopback_is_allowed() -> None:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        c.connect(srv.getsockname())
    finally:
        c.close()
        srv.close()
