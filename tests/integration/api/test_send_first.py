"""Sending first (issue 15.4): `POST /whatsapp/sessions/{id}/send` creates the contact and the
conversation, goes through the outbox, shows in the inbox like an agent's message, and the
customer's reply continues that conversation; a retried call with the same idempotency key
sends once; bad numbers and bodies are clear 4xx problems; a media URL goes through the SSRF
guard."""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.db.tables import Contact, Outbox
from tests.integration.api.conftest import _api
from tests.integration.api.test_attachments import png
from tests.integration.bots import Bot, _bot, eventually

BEA = "+4917612345678"


async def _send(bot: Bot, body: dict, **headers: str):  # type: ignore[no-untyped-def, type-arg]
    return await bot.api.client.post(
        f"/api/v1/whatsapp/sessions/{bot.session_id}/send",
        json=body,
        headers={**bot.owner.headers(), **headers},
    )


async def _n_sent(bot: Bot, n: int) -> bool:
    return len(bot.phone.sent) >= n


async def test_send_first_starts_a_conversation_the_reply_continues(bot: Bot) -> None:
    r = await _send(bot, {"to": "+49 176 1234-5678", "text": "Your order has shipped"})
    assert r.status_code == 202, r.text
    sent = r.json()
    assert sent["to"] == BEA and sent["status"] == "QUEUED" and not sent["duplicate"]
    await eventually(lambda: _n_sent(bot, 1))
    assert bot.phone.sent[0].message.to == "4917612345678@s.whatsapp.net"
    thread = await bot.conversation_of(BEA)
    assert thread["id"] == sent["conversationId"]
    first = thread["messages"][0]
    assert first["id"] == sent["messageId"]
    assert first["senderType"] == "HUMAN" and first["senderUserId"] == bot.owner.user_id
    contact = await bot.get(f"/contacts/{sent['contactId']}")
    assert contact["phoneNumber"] == BEA

    await bot.simulate(BEA, "thanks! when does it arrive?")
    await eventually(lambda: _n_sent(bot, 2))  # the echo bot answers in the same conversation
    thread = await bot.conversation_of(BEA)
    texts = [(m["direction"], m["content"]) for m in thread["messages"]]
    assert texts == [
        ("OUTBOUND", "Your order has shipped"),
        ("INBOUND", "thanks! when does it arrive?"),
        ("OUTBOUND", "thanks! when does it arrive?"),
    ]
    assert await bot.db(lambda: Contact.count()) == 1
    kinds = await bot.db(
        lambda: Outbox.select(Outbox.kind, Outbox.cold).order_by(Outbox.created_at)
    )
    assert kinds == [{"kind": "send_first", "cold": True}, {"kind": "reply", "cold": False}]


async def test_a_retried_call_with_the_same_key_sends_once(bot_any_db: Bot) -> None:
    """On both engines: on Postgres the key's unique index holds only rows with a key
    (m0036), and six concurrent calls still write one row."""
    bot = bot_any_db
    body = {"to": BEA, "text": "Reminder: your appointment is tomorrow at 10"}
    calls = [_send(bot, body, **{"Idempotency-Key": "appt-77"}) for _ in range(5)]
    calls.append(_send(bot, {**body, "clientMessageId": "appt-77"}))
    answers = await asyncio.gather(*calls)
    assert {r.status_code for r in answers} == {202}
    ids = {r.json()["messageId"] for r in answers}
    assert len(ids) == 1
    assert sum(not r.json()["duplicate"] for r in answers) == 1
    await eventually(lambda: _n_sent(bot, 1))
    await asyncio.sleep(0.3)
    assert len(bot.phone.sent) == 1
    assert await bot.db(lambda: Outbox.count()) == 1
    other = await _send(bot, {**body, "to": "+4917612345679"}, **{"Idempotency-Key": "appt-77"})
    assert other.status_code == 409


BAD = [
    ({"to": "0176 1234567", "text": "x"}, "no country code"),
    ({"to": "+49 12", "text": "x"}, "not a valid phone number"),
    ({"to": "call me", "text": "x"}, "not a phone number"),
    ({"to": BEA}, "give text, media or both"),
    ({"to": BEA, "media": {"base64": "aGk=", "url": "https://example.com/a.png"}}, "either"),
    ({"to": BEA, "media": {"base64": base64.b64encode(b"MZ\x90\x00 exe").decode()}}, "type"),
    ({"to": BEA, "media": {"base64": "not base64!"}}, "base64"),
    ({"to": BEA, "text": "x", "priority": "high"}, "priority"),
    ({"to": BEA, "text": "x", "clientMessageId": "a"}, "differ"),
]


async def test_bad_input_is_a_clear_problem_and_writes_nothing(bot: Bot) -> None:
    for body, detail in BAD:
        headers = {"Idempotency-Key": "b"} if "clientMessageId" in body else {}
        r = await _send(bot, body, **headers)
        assert r.status_code in (400, 422), (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert detail in r.json()["detail"], (body, r.json())
    assert await bot.db(lambda: Outbox.count()) == 0
    assert await bot.db(lambda: Contact.count()) == 0
    other = await bot.api.register("Other", "Other ws")  # another workspace's session: 404
    r = await bot.api.client.post(
        f"/api/v1/whatsapp/sessions/{bot.session_id}/send",
        json={"to": BEA, "text": "x"},
        headers=other.headers(),
    )
    assert r.status_code == 404


class _Files(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = png()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def file_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


async def test_media_by_base64_and_a_private_url_refused(bot: Bot, file_server: str) -> None:
    picture = {"base64": base64.b64encode(png()).decode(), "fileName": "logo.png"}
    r = await _send(bot, {"to": BEA, "text": "our logo", "media": picture})
    assert r.status_code == 202, r.text
    await eventually(lambda: _n_sent(bot, 1))
    sent = bot.phone.sent[0].message
    assert sent.media_mime == "image/png" and sent.caption == "our logo"
    assert sent.media_filename == "logo.png" and Path(sent.media_path or "").is_file()

    r = await _send(bot, {"to": BEA, "media": {"url": f"{file_server}/logo.png"}})
    assert r.status_code == 422 and "non-public address" in r.json()["detail"]


async def test_media_by_url_where_the_operator_allows_the_host(
    file_server: str, tmp_path: Path
) -> None:
    async for api in _api(tmp_path / "allowed", None, auto_reply="echo", ssrf_allow=("127.0.0.1",)):
        allowed = await _bot(api)
        r = await _send(allowed, {"to": BEA, "media": {"url": f"{file_server}/logo.png"}})
        assert r.status_code == 202, r.text
        await eventually(lambda a=allowed: _n_sent(a, 1))
        assert allowed.phone.sent[0].message.media_filename == "logo.png"
