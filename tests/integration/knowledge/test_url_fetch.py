"""URL ingestion against a real HTTP server on 127.0.0.1 started by the test."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.net.errors import FetchError
from app.rag.extract import fetch_url, ingest_url

ARTICLE = """<html><head><title>Help centre</title></head><body>
<nav><a href="/">Home</a> | <a href="/shop">Shop menu link</a></nav>
<article><h1>Opening hours</h1>
<p>Our shop in Porto opens at nine in the morning and closes at seven in the evening,
Monday to Saturday. On Sundays we are closed, but WhatsApp support answers until noon.</p>
<p>Deliveries within the city arrive the next business day; other regions take three days.</p>
</article><footer>Copyright footer text, cookie settings</footer></body></html>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/redirect-internal":
            self.send_response(302)
            self.send_header("Location", "http://10.255.255.1/secret")
            self.end_headers()
            return
        if self.path == "/redirect-ok":
            self.send_response(301)
            self.send_header("Location", "/article")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(2)
        body = (b"x" * (3 * 2**20)) if self.path == "/big" else ARTICLE.encode()
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if self.path != "/big":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hanging up on /slow is the point of that test


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


async def test_loopback_refused_by_default(server: str) -> None:
    with pytest.raises(FetchError, match="refused"):
        await fetch_url(f"{server}/article")
    port = server.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match="refused"):
        await fetch_url(f"http://localhost:{port}/article")


async def test_allow_listed_loopback_is_fetched_and_main_content_extracted(server: str) -> None:
    pages = await ingest_url(f"{server}/article", allow=("127.0.0.1",))
    text = pages[0].text
    assert "opens at nine in the morning" in text
    assert "Shop menu link" not in text and "cookie settings" not in text


async def test_each_redirect_hop_is_checked(server: str) -> None:
    with pytest.raises(FetchError, match=r"refused: 10\.255\.255\.1"):
        await fetch_url(f"{server}/redirect-internal", allow=("127.0.0.1",))
    page = await fetch_url(f"{server}/redirect-ok", allow=("127.0.0.1",))
    assert page.url.endswith("/article") and page.content_type == "text/html"


async def test_size_cap_timeout_and_http_errors(server: str) -> None:
    allow = ("127.0.0.0/8",)
    with pytest.raises(FetchError, match="larger than"):
        await fetch_url(f"{server}/big", allow=allow, max_bytes=2**20)
    with pytest.raises(FetchError, match="timed out"):
        await fetch_url(f"{server}/slow", allow=allow, request_timeout=0.5)
    with pytest.raises(FetchError, match="HTTP 404"):
        await fetch_url(f"{server}/missing", allow=allow)
