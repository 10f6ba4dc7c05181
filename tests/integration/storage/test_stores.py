"""The storage port's two adapters, one contract: put (bytes or a stream), size, a peek at the
first bytes, a streamed read, a real file for a channel, delete; and the workspace rule on
keys. The S3 adapter runs against a real S3 server on loopback (moto), under a key prefix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.domain import owned_key
from app.settings import Settings
from app.storage import LocalStorage, Storage, StorageError, build_storage
from tests.conftest import make_settings
from tests.integration.storage.conftest import S3


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    overrides = {}
    if request.param == "s3":
        overrides = request.getfixturevalue("s3").settings(prefix="nodes/")
    return build_storage(make_settings(tmp_path / "data", **overrides))


async def test_put_stream_size_and_delete(store: Storage, tmp_path: Path) -> None:
    assert await store.check()
    data = os.urandom(600_000)  # several streamed pieces
    await store.put_bytes("w1/a.bin", data)
    source = tmp_path / "upload.bin"
    source.write_bytes(data[::-1])
    with source.open("rb") as f:
        await store.put_stream("w1/sub/b.bin", f)
    await store.put_bytes("w1/empty.txt", b"")

    assert await store.size("w1/a.bin") == len(data)
    peeked = await store.peek("w1/a.bin", 64)
    assert peeked is not None and (peeked.head, peeked.size) == (data[:64], len(data))
    assert peeked.etag and peeked.etag.startswith('"') and peeked.modified is not None
    empty = await store.peek("w1/empty.txt", 64)
    assert empty is not None and (empty.head, empty.size) == (b"", 0)
    await store.put_bytes("w1/a.bin", data[:-1])  # a new version: a new tag
    again = await store.peek("w1/a.bin", 64)
    assert again is not None and again.size == len(data) - 1 and again.etag != peeked.etag
    await store.put_bytes("w1/a.bin", data)
    pieces = [p async for p in store.stream("w1/sub/b.bin", 100_000)]
    assert len(pieces) == 6 and b"".join(pieces) == data[::-1]
    span = [p async for p in store.stream("w1/a.bin", 100_000, span=(10, 250_009))]
    assert b"".join(span) == data[10:250_010]  # a seek / a ranged GET: only those bytes
    async with store.local_file("w1/a.bin") as path:
        assert path.read_bytes() == data and path.suffix == ".bin"
    assert path.exists() == (store.kind == "local")  # a temporary copy is gone after use

    for bad in ("w1/../w2/x.bin", "w1/./x.bin", "w1//x.bin", "x.bin"):  # the workspace rule
        with pytest.raises(ValueError, match="outside"):
            await store.put_bytes(bad, b"no")
    assert await store.delete("w1/a.bin") and not await store.delete("w1/a.bin")
    assert await store.size("w1/a.bin") is None and await store.peek("w1/a.bin", 8) is None
    with pytest.raises(FileNotFoundError):
        [p async for p in store.stream("w1/a.bin")]
    with pytest.raises(FileNotFoundError):
        async with store.local_file("w1/a.bin"):
            pass


async def test_s3_keys_go_under_the_prefix_and_local_keeps_the_old_layout(
    s3: S3, tmp_path: Path
) -> None:
    remote = build_storage(make_settings(tmp_path / "a", **s3.settings(prefix="/team-1/")))
    await remote.put_bytes("w1/m1.png", b"png")
    assert s3.objects() == {"team-1/w1/m1.png"} and remote.where("w1/m1.png").startswith("s3://")
    local = build_storage(make_settings(tmp_path / "b"))
    await local.put_bytes("w1/m1.png", b"png")
    assert (tmp_path / "b/media/w1/m1.png").read_bytes() == b"png"  # byte for byte as before
    assert sorted(p.name for p in (tmp_path / "b/media/w1").iterdir()) == ["m1.png"]


async def test_a_missing_bucket_is_a_clear_error_at_start(s3: S3, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="s3_bucket"):
        make_settings(tmp_path / "a", storage="s3")
    seed = {"STORAGE_TYPE": "s3", "AIMY_S3_BUCKET": "b", "AIMY_DATA_DIR": str(tmp_path / "c")}
    assert _load(seed).storage == "s3"
    wrong = {**s3.settings(), "s3_bucket": "no-such-bucket"}
    with pytest.raises(StorageError, match="no-such-bucket"):
        await build_storage(make_settings(tmp_path / "b", **wrong)).check()


def _load(env: dict[str, str]) -> Settings:
    from app.settings import load_settings

    return load_settings(env=env)


def test_keys_stay_inside_their_workspace(tmp_path: Path) -> None:
    assert owned_key("w1", "media/w1/m1.png") == "w1/m1.png"
    assert owned_key("w1", "media/w1/flows/ab.jpg") == "w1/flows/ab.jpg"
    for url in ("media/w2/m1.png", "media/w1/../w2/m1.png", "media/w1/", "media/w1",
                "w1/m1.png", "media//w1/m1.png", "media/w1/./m1.png", "media/w1/a\x00b",
                "/etc/passwd", "media/../../etc/passwd", None, ""):  # fmt: skip
        assert owned_key("w1", url) is None, url
    assert owned_key("", "media//m1.png") is None
    # on a local store, a symlink out of the workspace's folder is refused as well
    root = tmp_path / "media"
    (root / "w1").mkdir(parents=True)
    (root / "w2").mkdir()
    (root / "w2" / "secret.txt").write_text("theirs")
    (root / "w1" / "link.txt").symlink_to(root / "w2" / "secret.txt")
    with pytest.raises(ValueError, match="outside"):
        LocalStorage(root).path("w1/link.txt")
