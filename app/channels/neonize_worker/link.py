"""The worker's end of the socket: blocking frame I/O, safe to write from neonize's Go threads."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from app.channels.wire import decode_body, encode_frame, frame_length, to_wire


class WorkerLink:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._write_lock = threading.Lock()
        self._buffer = b""

    def _read_exact(self, n: int) -> bytes | None:
        while len(self._buffer) < n:
            chunk = self._sock.recv(max(65536, n - len(self._buffer)))
            if not chunk:
                return None
            self._buffer += chunk
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def recv(self) -> dict[str, Any] | None:
        """The next command; None when the parent has gone (EOF). Raises TimeoutError on idle."""
        header = self._read_exact(4)
        if header is None:
            return None
        body = self._read_exact(frame_length(header))
        return None if body is None else decode_body(body)

    def send(self, obj: dict[str, Any]) -> None:
        frame = encode_frame(obj)
        # OSError: the parent is gone; the read loop will see EOF and exit
        with self._write_lock, contextlib.suppress(OSError):
            self._sock.sendall(frame)

    def emit(self, event: str, data: Any) -> None:
        self.send({"event": event, "data": to_wire(data)})

    def reply(self, command_id: int, result: Any = None, error: str | None = None) -> None:
        if error is None:
            self.send({"id": command_id, "ok": True, "result": to_wire(result)})
        else:
            self.send({"id": command_id, "ok": False, "error": error})
