"""A local HTTP server for flow webhooks and media: real HTTP over loopback, every request
recorded. Routes: `/ok` (JSON), `/orders/<n>` (JSON with a status), `/fail` (500), `/slow`
(answers after 3 s), `/image.png` (a PNG)."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mP8/x8AAwMCAO+ip1sAAAAASUVORK5CYII="
)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebServer:
    url: str
    requests: list[Seen] = field(default_factory=list)


@contextmanager
def web_server() -> Iterator[WebServer]:
    state = WebServer("")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(Seen(self.command, self.path, dict(self.headers), body))
            if self.path == "/fail":
                self._send(500, b'{"error": "down"}', "application/json")
            elif self.path == "/slow":
                time.sleep(3)
                self._send(200, b"late", "text/plain")
            elif self.path == "/image.png":
                self._send(200, PNG, "image/png")
            elif self.path.startswith("/orders/"):
                number = self.path.rsplit("/", 1)[1]
                data = {"status": f"shipped ({number})"} if number != "404" else {}
                self._send(200, json.dumps(data).encode(), "application/json")
            else:
                self._send(200, b'{"id": 42, "ok": true}', "application/json")

        def _send(self, code: int, data: bytes, kind: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
