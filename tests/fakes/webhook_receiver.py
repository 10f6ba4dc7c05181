"""A real webhook endpoint on loopback, in its own thread: it records every request and
answers with the next scripted reply (200 once the script is used up).

A reply is a status code, or `("redirect", url)` for a 307 to `url`. `Receiver` is a context
manager; `wait_for(n)` blocks until `n` requests arrived.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = int | tuple[str, str]


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        import json

        return json.loads(self.body)


class Receiver:
    def __init__(self, replies: Iterable[Reply] = (), host: str = "127.0.0.1") -> None:
        self.replies = list(replies)
        self.requests: list[Received] = []
        self.host = host
        self._lock = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                reply = receiver._record(Received(self.path, dict(self.headers), body, time.time()))
                if isinstance(reply, tuple):
                    self.send_response(307)
                    self.send_header("Location", reply[1])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                payload = b"ok" if 200 <= reply < 300 else b"nope"
                self.send_response(reply)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _record(self, request: Received) -> Reply:
        with self._lock:
            self.requests.append(request)
            reply = self.replies.pop(0) if self.replies else 200
            self._lock.notify_all()
            return reply

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until `count` requests arrived; all of them so far."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.requests)} of {count} requests arrived")
                self._lock.wait(left)
            return list(self.requests)

    def of_type(self, event_type: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.headers.get("X-Aimy-Event") == event_type]
