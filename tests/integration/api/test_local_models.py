"""Local GGUF models over the API: download on request (progress, checksum), import, delete."""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from app.llm.gguf_store import GGUF_MAGIC
from tests.integration.api.conftest import Api, _api

MODEL = GGUF_MAGIC + b"\x03\x00\x00\x00" + b"\x00" * 4096


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    """The test model server is on loopback: allow it, as an operator would a LAN mirror."""
    async for a in _api(tmp_path / "data", None, ssrf_allow=("127.0.0.1",), model_downloads=True):
        yield a


@pytest.fixture
def model_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = MODEL if self.path.endswith(".gguf") else b"<html>not a model</html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


async def _wait_done(api: Api, owner, name: str) -> dict:  # type: ignore[no-untyped-def]
    for _ in range(100):
        r = await api.client.get("/api/v1/settings/models/downloads", headers=owner.headers())
        row = next(d for d in r.json() if d["name"] == name)
        if row["state"] != "downloading":
            return row
        await asyncio.sleep(0.05)
    raise AssertionError("download did not finish")


async def test_download_list_delete(api: Api, model_server: str) -> None:
    owner = await api.register()
    url = "/api/v1/settings/models"
    assert (await api.client.get(url, headers=owner.headers())).json() == []
    sha = hashlib.sha256(MODEL).hexdigest()
    r = await api.client.post(
        f"{url}/download",
        json={"url": f"{model_server}/tiny.gguf", "sha256": sha},
        headers=owner.headers(),
    )
    assert r.status_code == 202 and r.json()["state"] == "downloading"
    done = await _wait_done(api, owner, "tiny.gguf")
    assert done["state"] == "done" and done["doneBytes"] == len(MODEL)
    listed = (await api.client.get(url, headers=owner.headers())).json()
    assert listed == [{"name": "tiny.gguf", "sizeBytes": len(MODEL)}]
    r = await api.client.delete(f"{url}/tiny.gguf", headers=owner.headers())
    assert r.status_code == 204
    assert (await api.client.get(url, headers=owner.headers())).json() == []


async def test_bad_downloads_fail_clearly(api: Api, model_server: str) -> None:
    owner = await api.register()
    url = "/api/v1/settings/models/download"
    r = await api.client.post(url, json={"url": "file:///etc/passwd.gguf"}, headers=owner.headers())
    assert r.status_code == 422
    r = await api.client.post(
        url, json={"url": f"{model_server}/x.gguf", "name": "../evil.gguf"}, headers=owner.headers()
    )
    assert r.status_code == 422
    r = await api.client.post(
        url,
        json={"url": f"{model_server}/page.gguf", "name": "page.gguf", "sha256": "0" * 64},
        headers=owner.headers(),
    )
    assert (await _wait_done(api, owner, "page.gguf"))["error"].startswith("checksum mismatch")
    r = await api.client.post(
        url,
        json={"url": f"{model_server}/index.html", "name": "page2.gguf"},
        headers=owner.headers(),
    )
    assert "GGUF" in (await _wait_done(api, owner, "page2.gguf"))["error"]
    assert (await api.client.get("/api/v1/settings/models", headers=owner.headers())).json() == []


async def test_import_is_desktop_only(make_api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "mine.gguf"
    source.write_bytes(MODEL)
    async for api in make_api(headless=False):
        owner = await api.register()
        r = await api.client.post(
            "/api/v1/settings/models/import", json={"path": str(source)}, headers=owner.headers()
        )
        assert r.status_code == 201 and r.json()["name"] == "mine.gguf"
    async for api in make_api(headless=True, port=1):
        owner = await api.register()
        r = await api.client.post(
            "/api/v1/settings/models/import", json={"path": str(source)}, headers=owner.headers()
        )
        assert r.status_code == 403
