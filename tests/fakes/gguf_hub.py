"""A stand-in for the Hugging Face Hub serving GGUF files, for catalog download tests.

It answers the two metadata calls the app makes (`/api/models/{repo}/revision/{rev}` → the
commit; `/api/models/{repo}/tree/{commit}` → files with their LFS sha256 and size) and, like
the real hub, redirects `/{repo}/resolve/{commit}/{file}` to a storage host path. Every file
of every repository is the packaged Gemma 3 270M GGUF (a real model, so a "downloaded" model
really answers), listed under every catalog file name. `corrupt` repos serve it with flipped
bytes (same size, wrong sha256), `short` repos a truncated copy; the metadata always describes
the good file.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.llm.catalog import CATALOG

COMMIT = "0123456789abcdef0123456789abcdef01234567"
CHUNK = 1 << 20


@dataclass
class GgufHub:
    url: str
    model: Path
    sha256: str
    size: int
    corrupt: set[str] = field(default_factory=set)  # repo ids serving flipped bytes
    short: set[str] = field(default_factory=set)  # repo ids serving a truncated file
    requests: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def gguf_hub(model: Path) -> Iterator[GgufHub]:
    hub = GgufHub("", model, sha256_of(model), model.stat().st_size)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hub.requests.append(self.path)
            path = self.path.split("?")[0]
            if path.startswith("/api/models/") and "/revision/" in path:
                self._json({"id": path.split("/revision/")[0][12:], "sha": COMMIT})
            elif path.startswith("/api/models/") and "/tree/" in path:
                lfs = {"oid": hub.sha256, "size": hub.size, "pointerSize": 134}
                files = [
                    {"type": "file", "oid": "f" * 40, "size": hub.size, "path": m.file, "lfs": lfs}
                    for m in CATALOG.values()
                ]
                readme = {"type": "file", "oid": "e" * 40, "size": 12, "path": "README.md"}
                self._json([readme, *files])
            elif "/resolve/" in path:
                repo, _, rest = path.lstrip("/").partition("/resolve/")
                self.send_response(302)
                self.send_header("Location", f"/cdn/{repo}/{rest.partition('/')[2]}")
                self.end_headers()
            elif path.startswith("/cdn/"):
                repo = "/".join(path.split("/")[2:4])
                self._file(repo)
            else:
                self._send(404, b"Entry not found")

        def _json(self, body: object) -> None:
            self._send(200, json.dumps(body).encode())

        def _file(self, repo: str) -> None:
            size = hub.size // 3 if repo in hub.short else hub.size
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            sent = 0
            with hub.model.open("rb") as fh:
                while sent < size and (block := fh.read(min(CHUNK, size - sent))):
                    if repo in hub.corrupt and sent == 0:
                        block = block[:4] + bytes(b ^ 0xFF for b in block[4:64]) + block[64:]
                    self.wfile.write(block)
                    sent += len(block)

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()
