"""GGUF model manager: import, list, delete, and downloads from a local HTTP server."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.domain import Conflict, Invalid, NotFound
from app.llm.gguf_store import GgufStore

TINY_GGUF = b"GGUF" + bytes(range(256)) * 5000  # ~1.3 MB: more than one download chunk


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, folder) of a static file server on 127.0.0.1."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def manager(tmp_path: Path) -> GgufStore:
    # the test server is on loopback, which downloads refuse unless the operator allows it
    return GgufStore(tmp_path / "data" / "models", allow=("127.0.0.1",))


async def test_import_list_and_delete(manager: GgufStore, tmp_path: Path) -> None:
    source = tmp_path / "my-model.gguf"
    source.write_bytes(TINY_GGUF)
    assert manager.list() == []
    model = await manager.import_file(source)
    assert model.name == "my-model.gguf" and model.size_bytes == len(TINY_GGUF)
    assert [m.name for m in manager.list()] == ["my-model.gguf"]
    assert manager.path_of("my-model.gguf").read_bytes() == TINY_GGUF
    with pytest.raises(Conflict):
        await manager.import_file(source)
    manager.delete("my-model.gguf")
    assert manager.list() == []
    with pytest.raises(NotFound):
        manager.path_of("my-model.gguf")


async def test_import_refuses_files_that_are_not_gguf(manager: GgufStore, tmp_path: Path) -> None:
    source = tmp_path / "notes.gguf"
    source.write_bytes(b"PK\x03\x04 a zip file")
    with pytest.raises(Invalid, match="not a GGUF"):
        await manager.import_file(source)
    assert manager.list() == []


@pytest.mark.parametrize("name", ["../evil.gguf", ".hidden.gguf", "model.bin", "a/b.gguf"])
async def test_names_must_be_plain_gguf_file_names(
    manager: GgufStore, tmp_path: Path, name: str
) -> None:
    source = tmp_path / "ok.gguf"
    source.write_bytes(TINY_GGUF)
    with pytest.raises(Invalid):
        await manager.import_file(source, name=name)


async def test_download_streams_with_progress_and_checks_sha256(
    manager: GgufStore, served: tuple[str, Path]
) -> None:
    base, root = served
    (root / "tiny.gguf").write_bytes(TINY_GGUF)
    seen: list[tuple[int, int | None]] = []
    model = await manager.download(
        f"{base}/tiny.gguf",
        sha256=hashlib.sha256(TINY_GGUF).hexdigest(),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert model.name == "tiny.gguf" and model.path.read_bytes() == TINY_GGUF
    assert len(seen) >= 2 and seen[-1] == (len(TINY_GGUF), len(TINY_GGUF))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


async def test_download_with_a_wrong_checksum_leaves_nothing_behind(
    manager: GgufStore, served: tuple[str, Path]
) -> None:
    base, root = served
    (root / "tiny.gguf").write_bytes(TINY_GGUF)
    with pytest.raises(Invalid, match="checksum"):
        await manager.download(f"{base}/tiny.gguf", sha256="0" * 64)
    assert manager.list() == [] and not any(manager.models_dir.iterdir())


async def test_download_refuses_non_gguf_missing_files_and_other_schemes(
    manager: GgufStore, served: tuple[str, Path]
) -> None:
    base, root = served
    (root / "page.gguf").write_bytes(b"<html>not a model</html>")
    with pytest.raises(Invalid, match="GGUF"):
        await manager.download(f"{base}/page.gguf")
    with pytest.raises(Invalid, match="HTTP 404"):
        await manager.download(f"{base}/missing.gguf")
    for url in ("file:///etc/passwd", "ftp://example.org/m.gguf", "/tmp/m.gguf"):
        with pytest.raises(Invalid, match="http"):
            await manager.download(url, name="m.gguf")
    with pytest.raises(Invalid, match="could not fetch"):
        await manager.download("http://127.0.0.1:9/m.gguf")
    assert manager.list() == []


async def test_download_refuses_private_addresses_unless_allowed(
    tmp_path: Path, served: tuple[str, Path]
) -> None:
    base, root = served
    (root / "tiny.gguf").write_bytes(TINY_GGUF)
    strict = GgufStore(tmp_path / "strict")
    with pytest.raises(Invalid, match="non-public address"):
        await strict.download(f"{base}/tiny.gguf")
    assert strict.list() == []
