"""STORAGE_PATH and WA_SESSION_PATH (seed §18) are honoured (issue 13 #15): media — a contact's
files and an agent's attachments — live under the storage path, WhatsApp session folders
under the session path, and everything that reads, sends or erases them finds them there."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from app.db.tables import WhatsappSession
from app.pipeline.credentials import DbSealedStore
from tests.integration.api.conftest import _api
from tests.integration.api.test_attachments import png
from tests.integration.bots import Bot, _bot, eventually
from tests.integration.test_data_dir_modes import _loose

ANN = "+4917600000001"


async def test_media_and_sessions_live_where_the_settings_say(tmp_path: Path) -> None:
    uploads, wa, data_dir = tmp_path / "uploads", tmp_path / "wa", tmp_path / "data"
    uploads.mkdir(mode=0o755)  # made by the operator (a volume), before the first start
    os.chmod(uploads, 0o755)
    async for api in _api(
        data_dir, None, auto_reply="echo", storage_path=str(uploads), wa_session_path=str(wa)
    ):
        await _check(await _bot(api), uploads, wa, data_dir)


async def _check(bot: Bot, uploads: Path, wa: Path, data_dir: Path) -> None:
    api = bot.api
    photo = png()
    media = {"base64": base64.b64encode(photo).decode(), "mimeType": "image/png"}
    await bot.simulate(ANN, media=media)

    async def stored() -> dict | None:  # type: ignore[type-arg]
        thread = await bot.conversation_of(ANN)
        return next((m for m in thread["messages"] if m["mediaUrl"]), None)

    inbound = await eventually(stored)
    conv = (await bot.conversation_of(ANN))["id"]
    ws = bot.owner.workspace_id
    (kept,) = (uploads / ws).iterdir()
    assert kept.read_bytes() == photo and not (data_dir / "media").exists()
    url = f"/api/v1/conversations/{conv}/messages/{inbound['id']}/media"
    r = await api.client.get(url, headers=bot.owner.headers())
    assert r.status_code == 200 and r.content == photo

    # an agent's attachment is stored there too, and sent from there
    r = await bot.send("POST", f"/conversations/{conv}/messages", files={"file": ("p.png", photo)})
    assert r.status_code == 201, r.text
    await eventually(lambda: _sent_file(bot))
    sent = Path(bot.phone.sent[-1].message.media_path or "")
    assert sent.parent == uploads / ws and sent.read_bytes() == photo

    # a linked number's credentials folder is under the session path
    row = await bot.db(lambda: WhatsappSession.select().first())
    spec = api.container.hub.spec({**row, "channel": "neonize"})
    assert spec.session_dir == wa / row["id"]
    # …and its sealed credentials go to the database, under this node's lease of the session
    assert isinstance(spec.store, DbSealedStore) and spec.store.session_id == row["id"]
    assert spec.store.token() == api.container.leases.held[row["id"]] > 0

    # erasing the contact erases its files where they are
    contact = (await bot.conversation_of(ANN))["contact"]["id"]
    assert _loose(uploads) == []  # private like the data dir (issue 13.5)
    assert (await bot.send("DELETE", f"/contacts/{contact}")).status_code == 204
    assert list((uploads / ws).iterdir()) == []


async def _sent_file(bot: Bot) -> bool:
    return any(s.message.media_path for s in bot.phone.sent)
