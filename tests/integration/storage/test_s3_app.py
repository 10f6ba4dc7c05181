"""The app with its media in S3 (`AIMY_STORAGE=s3`, a moto server on loopback): nothing lands
in the local media folder; inbound media and an agent's attachment are objects; the
dispatcher sends from a temporary copy it removes; the media endpoint streams the object
with its type and length (the API's and the dashboard's route); the contact export zips it;
erasure and retention delete it; a knowledge-base upload is an object indexed from the bucket;
a backup names the bucket instead of archiving media. Then two nodes on one Postgres and one
bucket: a file uploaded through node A (in this process) is served by node B (its own
process)."""

from __future__ import annotations

import asyncio
import base64
import io
import os
import tarfile
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.backup.archive import create_backup
from app.backup.manifest import MEDIA
from app.domain import utcnow
from app.jobs.analytics import aggregate_hours
from app.jobs.retention import apply_retention
from app.records import AuditTrail
from tests.conftest import TEST_MASTER_KEY
from tests.e2e.conftest import Process, launch
from tests.integration.api.conftest import Api, _api
from tests.integration.api.test_analytics import At
from tests.integration.api.test_attachments import png
from tests.integration.api.test_broadcasts import _create as create_broadcast
from tests.integration.api.test_broadcasts import _setup as broadcast_setup
from tests.integration.api.test_broadcasts import _status as broadcast_status
from tests.integration.api.test_knowledge_api import kb_of, wait_done
from tests.integration.bots import Bot, _bot, eventually
from tests.integration.storage.conftest import S3

ANN, BOB = "+4917600000001", "+4917600000002"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # sniffs as JPEG


def _image(data: bytes, mime: str) -> dict[str, Any]:
    return {"mimeType": mime, "base64": base64.b64encode(data).decode(), "type": "IMAGE"}


async def _inbound_image(bot: Bot, phone: str, data: bytes) -> dict[str, Any]:
    """A contact sends a picture; the row once its file is stored."""
    await bot.simulate(phone, media=_image(data, "image/jpeg"))

    async def stored() -> dict[str, Any] | None:
        convs = (await bot.get("/conversations", search=phone))["items"]
        if not convs:
            return None
        thread = await bot.get(f"/conversations/{convs[0]['id']}", pageSize=200)
        return next((m for m in thread["messages"] if m.get("mediaUrl")), None)

    return await eventually(stored)


async def _reply_with_file(bot: Bot, phone: str, data: bytes) -> dict[str, Any]:
    conv = (await bot.conversation_of(phone))["id"]
    r = await bot.send(
        "POST",
        f"/conversations/{conv}/messages",
        files={"file": ("photo.jpg", data, "application/octet-stream")},
        data={"text": "here it is"},
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _contact(bot: Bot, phone: str) -> str:
    return (await bot.get("/contacts", search=phone.lstrip("+")))["items"][0]["id"]


def _key(message: dict[str, Any]) -> str:
    return message["mediaUrl"].removeprefix("media/")


@asynccontextmanager
async def _node(data_dir: Path, db_url: str | None, **settings: Any) -> AsyncIterator[Api]:
    async for api in _api(data_dir, db_url, auto_reply="echo", **settings):
        yield api


async def test_media_lives_in_s3_end_to_end(s3: S3, tmp_path: Path) -> None:
    async with _node(tmp_path / "data", None, **s3.settings()) as api:
        bot = await _bot(api)
        # inbound media is stored as an object (the AI slot read a temporary copy)
        inbound = await _inbound_image(bot, ANN, JPEG)
        assert s3.read(_key(inbound)) == JPEG
        # an agent's attachment: stored as an object, sent from a copy removed after the send
        sent_before = len(bot.phone.sent)
        reply = await _reply_with_file(bot, ANN, png())
        assert s3.read(_key(reply)) == png()
        await eventually(lambda: _sent_after(bot, sent_before))
        out = bot.phone.sent[-1]
        assert out.media == png() and out.message.caption == "here it is"
        copy = Path(out.message.media_path or "")
        assert copy.name.startswith("aimy-media-")  # a temporary copy, removed after the send
        await eventually(lambda: _gone(copy))
        assert not any(api.container.settings.media_path.rglob("*.*"))  # nothing local

        # served: streamed from the bucket with its type and length
        conv = (await bot.conversation_of(ANN))["id"]
        for message, data, mime in ((reply, png(), "image/png"), (inbound, JPEG, "image/jpeg")):
            r = await bot.send("GET", f"/conversations/{conv}/messages/{message['id']}/media")
            assert r.status_code == 200, r.text
            assert r.content == data and r.headers["content-type"] == mime
            assert r.headers["content-length"] == str(len(data))
            assert r.headers["content-disposition"].startswith("inline")
            assert r.headers["accept-ranges"] == "bytes"
        # a seek: one ranged GET from the bucket, 206 with its span; past the end is a 416
        url = f"/api/v1/conversations/{conv}/messages/{inbound['id']}/media"

        def ranged(span: str) -> Any:
            return bot.api.client.get(url, headers={**bot.owner.headers(), "Range": span})

        r = await ranged("bytes=100-1099")
        assert r.status_code == 206 and r.content == JPEG[100:1100]
        assert r.headers["content-range"] == f"bytes 100-1099/{len(JPEG)}"
        r = await ranged("bytes=-10")
        assert r.status_code == 206 and r.content == JPEG[-10:]
        r = await ranged(f"bytes={len(JPEG)}-")
        assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(JPEG)}"
        # the object's own ETag revalidates a cached copy and validates a resumed range
        whole = await bot.api.client.get(url, headers=bot.owner.headers())
        tag = whole.headers["etag"]
        assert tag.startswith('"') and whole.headers["last-modified"].endswith("GMT")
        r = await bot.api.client.get(url, headers={**bot.owner.headers(), "If-None-Match": tag})
        assert r.status_code == 304 and r.content == b""
        r = await bot.api.client.get(
            url, headers={**bot.owner.headers(), "Range": "bytes=0-9", "If-Range": tag}
        )
        assert r.status_code == 206 and r.content == JPEG[:10]

        # the export zip carries the objects
        ann = await _contact(bot, ANN)
        r = await bot.send("GET", f"/contacts/{ann}/export")
        assert r.status_code == 200, r.text
        archive = zipfile.ZipFile(io.BytesIO(r.content))
        media = {n: archive.read(n) for n in archive.namelist() if n.startswith("media/")}
        assert sorted(media.values()) == sorted([png(), JPEG])
        assert f"media/{reply['id']}-photo.jpg" in media

        # erasure deletes the contact's objects, and only theirs
        bob_image = await _inbound_image(bot, BOB, JPEG[::-1][:10] + JPEG)
        r = await bot.send("DELETE", f"/contacts/{await _contact(bot, BOB)}")
        assert r.status_code == 204, r.text
        assert _key(bob_image) not in s3.objects()
        assert s3.objects() == {_key(inbound), _key(reply)}

        # retention deletes old messages' objects
        r = await bot.send("PATCH", "/settings", json={"messageRetentionDays": 30})
        assert r.status_code == 200, r.text
        later = At(utcnow() + timedelta(days=40))
        portal = api.client.blocking_portal  # type: ignore[attr-defined]
        await _on_app(portal, lambda: aggregate_hours(later))
        swept = await _on_app(
            portal, lambda: apply_retention(later, api.container.storage, AuditTrail())
        )
        assert swept[bot.owner.workspace_id].files == 2
        assert s3.objects() == set()

        # a knowledge-base upload is an object too: indexed from it, deleted with its document
        kb = await kb_of(api, bot.owner)
        docs = f"/knowledge-bases/{kb}/documents"
        text = b"Parcels to Iceland take five working days."
        r = await bot.send("POST", docs, files={"file": ("shipping.txt", text)})
        assert r.status_code == 202, r.text  # accepted: indexed in the background
        doc = r.json()["id"]
        assert (await wait_done(api, bot.owner, kb, doc))["status"] == "INDEXED"
        assert s3.objects() == {f"{bot.owner.workspace_id}/kb/{doc}"}
        assert not (api.container.settings.data_dir / "kb" / doc).exists()
        assert (await bot.send("DELETE", f"{docs}/{doc}")).status_code == 204
        assert s3.objects() == set()

        # a backup works, and says the media is in the bucket, not in the archive
        archive_path = tmp_path / "backup.tar.gz"
        manifest = await asyncio.to_thread(create_backup, api.container.settings, archive_path)
        assert any(s3.bucket in note for note in manifest.notes)
        with tarfile.open(archive_path) as tar:
            assert not [n for n in tar.getnames() if n.startswith(f"{MEDIA}/")]


async def _gone(path: Path) -> bool:
    return not path.exists()


async def _sent_after(bot: Bot, n: int) -> bool:
    return len(bot.phone.sent) > n and bot.phone.sent[-1].message.media_type is not None


async def _on_app(portal: Any, call: Any) -> Any:
    return await asyncio.to_thread(portal.call, call)


async def test_a_broadcast_sends_its_picture_from_one_copy_of_the_object(
    s3: S3, tmp_path: Path, file_server: str
) -> None:
    """Every recipient's send shares one download (`app.storage.shared`; the read count is
    in test_shared_copies): the same temporary copy for all, kept until it is idle."""
    settings = {"broadcast_poll_s": 0.05, "ssrf_allow": ("127.0.0.1",), **s3.settings()}
    async with _node(tmp_path / "data", None, **settings) as api:
        bot = await _bot(api)
        await broadcast_setup(bot)
        draft = await create_broadcast(
            bot, name="Menu", message="Hi {{contact.first_name}}", targetType="ALL",
            mediaUrl=f"{file_server}/menu.png",
        )  # fmt: skip
        assert (await bot.send("POST", f"/broadcasts/{draft['id']}/send")).status_code == 202
        await eventually(lambda: broadcast_status(bot, draft["id"], "SENT"))
        assert len(bot.phone.sent) == 3 and {s.media for s in bot.phone.sent} == {png()}
        paths = {s.message.media_path or "" for s in bot.phone.sent}
        assert len(paths) == 1 and Path(paths.pop()).name.startswith("aimy-shared-")


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)  # fmt: skip
async def test_a_file_uploaded_on_one_node_is_served_by_another(
    s3: S3, tmp_path: Path, db_url: str
) -> None:
    """Node A runs in this process, node B is `python -m app serve` with its own data dir:
    one Postgres, one bucket, one secret store (a token from A is good on B)."""
    shared = {**s3.settings(prefix="cluster"), "secrets_file": str(tmp_path / "secrets.enc")}
    env = {
        **os.environ,
        "AIMY_MASTER_KEY": TEST_MASTER_KEY,
        "AIMY_SECRETS_BACKEND": "file",
        "AIMY_DATABASE_URL": db_url,
        "AIMY_NODE_ID": "node-b",
        **{f"AIMY_{k.upper()}": str(v) for k, v in shared.items()},
    }
    async with _node(tmp_path / "a" / "data", db_url, node_id="node-a", **shared) as node_a:
        bot = await _bot(node_a)
        node_b = launch(tmp_path / "b" / "data", env=env)
        try:
            await bot.simulate(ANN, "hello")
            await eventually(_has_conversation(bot))
            reply = await _reply_with_file(bot, ANN, png())
            conv = (await bot.conversation_of(ANN))["id"]
            contact = await _contact(bot, ANN)
            async with httpx.AsyncClient(base_url=node_b.url, headers=bot.owner.headers()) as b:
                await eventually(_healthy(b, node_b), timeout=90)
                r = await b.get(f"/api/v1/conversations/{conv}/messages/{reply['id']}/media")
                assert r.status_code == 200, r.text
                assert r.content == png() and r.headers["content-length"] == str(len(png()))
                r = await b.get(f"/api/v1/contacts/{contact}/export")
                archive = zipfile.ZipFile(io.BytesIO(r.content))
                assert archive.read(f"media/{reply['id']}-photo.jpg") == png()
        finally:
            node_b.stop()
    assert s3.objects() == {f"cluster/{reply['mediaUrl'].removeprefix('media/')}"}
    assert not any((tmp_path / "a" / "data" / "media").rglob("*.*"))
    assert not any((tmp_path / "b" / "data" / "media").rglob("*.*"))


def _healthy(client: httpx.AsyncClient, node: Process) -> Callable[[], Awaitable[bool]]:
    async def up() -> bool:
        if node.proc.poll() is not None:
            raise RuntimeError(f"node B exited:\n{node.log()}")
        try:
            return (await client.get("/api/v1/health")).status_code == 200
        except httpx.TransportError:
            return False

    return up


def _has_conversation(bot: Bot) -> Callable[[], Awaitable[bool]]:
    async def found() -> bool:
        return bool((await bot.get("/conversations", search=ANN))["items"])

    return found


async def test_the_dashboard_streams_media_from_s3(s3: S3, tmp_path: Path) -> None:
    """The inbox's own media route (the signed-in browser's, not the API's) on S3."""
    from tests.integration.ui.conftest import open_dashboard
    from tests.integration.ui.inbox_helpers import shop
    from tests.integration.ui.test_inbox_media import _send_file, _with_files

    async with open_dashboard(tmp_path, **s3.settings()) as dashboard:
        s = await shop(dashboard)
        await _send_file(s, png(), "image/png", "my receipt")
        conv = await _with_files(s, 1)
        image = next(m for m in conv.messages if m.media_url)
        user = await dashboard.signed_in("owner@example.com")
        r = await user.http_client.get(f"/dashboard/media/{conv.id}/{image.id}")
        assert r.status_code == 200 and r.content == png()
        assert r.headers["content-type"] == "image/png"
        assert r.headers["content-length"] == str(len(png()))
        assert "sandbox" in r.headers["content-security-policy"]
        r = await user.http_client.get(
            f"/dashboard/media/{conv.id}/{image.id}", headers={"Range": "bytes=8-15"}
        )
        assert r.status_code == 206 and r.content == png()[8:16]  # a video seeks the same way
        assert r.headers["content-range"] == f"bytes 8-15/{len(png())}"
        assert s3.objects() == {(image.media_url or "").removeprefix("media/")}
