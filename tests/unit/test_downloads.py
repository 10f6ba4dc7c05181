"""Guarded streaming downloads: redirects followed hop by hop, each hop SSRF-checked."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.net import downloads
from app.net.errors import FetchError

BODY = bytes(range(256)) * 8192  # 2 MiB: several chunks


class Handler(http.server.BaseHTTPRequestHandler):
    """/file → body; /rel → relative redirect; /abs → absolute redirect to /rel;
    /private → redirect to a link-local address; /loop → redirect to itself; /empty → 0 bytes."""

    def do_GET(self) -> None:
        port = self.server.server_address[1]
        routes = {
            "/rel": "/file",
            "/abs": f"http://127.0.0.1:{port}/rel",
            "/private": "http://169.254.169.254/latest/meta-data",
            "/loop": "/loop",
        }
        if self.path in routes:
            self.send_response(302)
            self.send_header("Location", routes[self.path])
            self.end_headers()
            return
        if self.path == "/huge":  # declares 10 TB, sends nothing: refused before reading
            self.send_response(200)
            self.send_header("Content-Length", str(10 * 2**40))
            self.end_headers()
            return
        body = BODY if self.path == "/file" else b""
        self.send_response(200 if self.path in ("/file", "/empty") else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def base() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def fetch(url: str, target: Path, allow: tuple[str, ...] = ("127.0.0.1",)) -> tuple:  # type: ignore[type-arg]
    seen: list[tuple[int, int | None]] = []
    async with downloads.client(allow) as http:
        done, digest = await downloads.download_to(
            http, url, target, allow=allow, progress=lambda d, t: seen.append((d, t))
        )
    return done, digest, seen


async def test_follows_relative_and_absolute_redirects_with_progress(
    base: str, tmp_path: Path
) -> None:
    import hashlib

    done, digest, seen = await fetch(f"{base}/abs", tmp_path / "out")
    assert done == len(BODY) and (tmp_path / "out").read_bytes() == BODY
    assert digest == hashlib.sha256(BODY).hexdigest()
    assert seen[-1] == (len(BODY), len(BODY)) and len(seen) >= 2


async def test_every_hop_is_checked(base: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"non-public address 169\.254\.169\.254"):
        await fetch(f"{base}/private", tmp_path / "out")
    with pytest.raises(FetchError, match=r"non-public address 127\.0\.0\.1"):
        await fetch(f"{base}/file", tmp_path / "out", allow=())


async def test_errors_are_clear(base: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="redirects"):
        await fetch(f"{base}/loop", tmp_path / "out")
    with pytest.raises(FetchError, match="HTTP 404"):
        await fetch(f"{base}/missing", tmp_path / "out")
    with pytest.raises(FetchError, match="empty"):
        await fetch(f"{base}/empty", tmp_path / "out")
    with pytest.raises(FetchError, match="only http and https"):
        await fetch("file:///etc/passwd", tmp_path / "out")


async def test_a_file_larger_than_the_free_disk_is_refused_before_reading(
    base: str, tmp_path: Path
) -> None:
    with pytest.raises(FetchError, match="not enough disk space"):
        await fetch(f"{base}/huge", tmp_path / "out")
