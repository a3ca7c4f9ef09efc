"""What uvicorn needs from us beyond the application: a protocol with TCP_NODELAY.

With ``--workers N`` uvicorn hands a listening socket to spawned worker processes;
the socket rebuilt there reports protocol 0 instead of TCP, so asyncio does not set
TCP_NODELAY on accepted connections. Nagle's algorithm then holds back the body
of each response until the client acknowledges its headers, which a client
delays by up to 40 ms: every keep-alive request took ~45 ms instead of ~1 ms.
This protocol sets TCP_NODELAY itself on every connection.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

__all__ = ["NoDelayHTTPProtocol", "PROTOCOL"]

PROTOCOL = "sanctions.api.server:NoDelayHTTPProtocol"


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP protocol, with TCP_NODELAY set on each accepted connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock: Any = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # not a TCP socket (a Unix socket, say): nothing to do
                pass
        super().connection_made(transport)
