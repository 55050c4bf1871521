"""A TCP forwarder between the tool and the lab DC that can fail on purpose.

The lab DC is shared by every live test and its LDAP ports are fixed, so the
fault tests never stop it: they read through this proxy, which drops the
connection (as a stopped DC would) or stops forwarding (so a signal lands in
the middle of a read) once a given number of bytes came back from the DC.
"""

from __future__ import annotations

import socket
import struct
import threading
from contextlib import suppress


class Proxy:
    """Forward 127.0.0.1:<port> to ``target``; ``cut_after``/``pause_after`` bytes."""

    def __init__(
        self,
        target: tuple[str, int],
        *,
        cut_after: int | None = None,
        pause_after: int | None = None,
    ) -> None:
        self.target = target
        self.cut_after = cut_after
        self.pause_after = pause_after
        self.from_server = 0
        self.cut = threading.Event()
        self.paused = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> Proxy:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._close_all()
        self._listener.close()

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            server = socket.create_connection(self.target)
            self._sockets += [client, server]
            for source, sink, counted in (
                (client, server, False),
                (server, client, True),
            ):
                threading.Thread(
                    target=self._pump, args=(source, sink, counted), daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket, counted: bool) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                if counted and not self._count(len(data)):
                    return
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def _count(self, size: int) -> bool:
        """Whether to forward ``size`` more bytes from the DC."""
        with self._lock:
            self.from_server += size
            total = self.from_server
        if self.cut_after is not None and total > self.cut_after:
            self.cut.set()
            self._close_all(reset=True)
            return False
        if self.pause_after is not None and total > self.pause_after:
            self.paused.set()
            self._stop.wait()
            return False
        return True

    def _close_all(self, reset: bool = False) -> None:
        for sock in self._sockets:
            with suppress(OSError):
                if reset:  # a connection reset, as when the DC's process dies
                    sock.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                # shutdown acts at once, even on a socket another thread reads.
                sock.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                sock.close()
