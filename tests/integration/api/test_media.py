"""GET /conversations/{id}/messages/{messageId}/media: a message's stored file, for members of
its workspace only, with headers that keep an uploaded page or SVG from running on our origin."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from app.db.tables import Message
from app.domain import Role
from tests.integration.api.test_attachments import png
from tests.integration.bots import Bot, eventually

ANN = "+4917600000001"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


async def _inbound(bot: Bot, data: bytes, mime: str, name: str | None = None) -> dict[str, Any]:
    """A contact sends a file; the pipeline stores it. Returns the message (with its file)."""
    media = {"base64": base64.b64encode(data).decode(), "mimeType": mime}
    if name:
        media["fileName"] = name
    before = await _count(bot)
    await bot.simulate(ANN, media=media)

    async def stored() -> Any:
        thread = await bot.conversation_of(ANN)
        rows = [m for m in thread["messages"] if m["direction"] == "INBOUND" and m["mediaUrl"]]
        return (thread["id"], rows[-1]) if len(rows) > before else None

    conv_id, message = await eventually(stored)
    return {**message, "conversationId": conv_id}


async def _count(bot: Bot) -> int:
    convs = (await bot.get("/conversations"))["items"]
    if not convs:
        return 0
    thread = await bot.get(f"/conversations/{convs[0]['id']}", pageSize=200)
    return len([m for m in thread["messages"] if m["mediaUrl"]])


def _url(m: dict[str, Any]) -> str:
    return f"/api/v1/conversations/{m['conversationId']}/messages/{m['id']}/media"


async def test_owner_and_viewer_get_the_file_with_safe_headers(bot: Bot) -> None:
    data = png()
    m = await _inbound(bot, data, "image/png")
    r = await bot.api.client.get(_url(m), headers=bot.owner.headers())
    assert r.status_code == 200, r.text
    assert r.content == data
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"].startswith("inline;")
    assert len(r.headers.get_list("content-disposition")) == 1
    assert len(r.headers.get_list("content-security-policy")) == 1
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]
    assert "script-src" not in r.headers["content-security-policy"]
    viewer = await bot.api.member(bot.owner, Role.VIEWER)
    r = await bot.api.client.get(_url(m), headers=viewer.headers())
    assert r.status_code == 200 and r.content == data


async def test_range_requests_seek_in_a_local_file(bot: Bot) -> None:
    """The same code path as S3 (tests/integration/storage): one span, the tail, past the end."""
    data = png()
    m = await _inbound(bot, data, "image/png")
    get = bot.api.client.get
    r = await get(_url(m), headers={**bot.owner.headers(), "Range": "bytes=4-11"})
    assert r.status_code == 206 and r.content == data[4:12]
    assert r.headers["content-range"] == f"bytes 4-11/{len(data)}"
    assert r.headers["content-length"] == "8" and r.headers["accept-ranges"] == "bytes"
    assert r.headers["x-content-type-options"] == "nosniff"
    r = await get(_url(m), headers={**bot.owner.headers(), "Range": "bytes=-5"})
    assert r.status_code == 206 and r.content == data[-5:]
    r = await get(_url(m), headers={**bot.owner.headers(), "Range": f"bytes={len(data)}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(data)}"
    for ignored in ("bytes=0-1,4-5", "items=0-3", "bytes=9-2"):  # the whole file, as allowed
        r = await get(_url(m), headers={**bot.owner.headers(), "Range": ignored})
        assert r.status_code == 200 and r.content == data


async def test_a_cached_copy_revalidates_and_a_resume_never_splices_two_versions(
    bot: Bot,
) -> None:
    """ETag and Last-Modified come back; a browser holding the current copy gets a 304 with
    no body; `If-Range` with the current tag gets the range, with a stale one the whole
    (new) file; after the stored file is replaced, the old tag no longer matches."""
    data = png()
    m = await _inbound(bot, data, "image/png")
    get, owner = bot.api.client.get, bot.owner.headers()
    first = await get(_url(m), headers=owner)
    tag, modified = first.headers["etag"], first.headers["last-modified"]
    assert tag.startswith('"') and modified.endswith("GMT")
    r = await get(_url(m), headers={**owner, "If-None-Match": tag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == tag
    r = await get(_url(m), headers={**owner, "If-None-Match": f'"other", W/{tag}'})
    assert r.status_code == 304  # weak comparison, any of a list
    r = await get(_url(m), headers={**owner, "If-Modified-Since": modified})
    assert r.status_code == 304
    r = await get(_url(m), headers={**owner, "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert r.status_code == 200 and r.content == data
    r = await get(_url(m), headers={**owner, "Range": "bytes=0-3", "If-Range": tag})
    assert r.status_code == 206 and r.content == data[:4]
    r = await get(_url(m), headers={**owner, "Range": "bytes=0-3", "If-Range": f"W/{tag}"})
    assert r.status_code == 200 and r.content == data  # a weak tag never validates a range
    r = await get(_url(m), headers={**owner, "Range": "bytes=0-3", "If-Range": "garbage"})
    assert r.status_code == 200 and r.content == data
    r = await get(_url(m), headers={**owner, "If-None-Match": "not a tag"})
    assert r.status_code == 200

    stored = Path(bot.api.container.settings.data_dir) / m["mediaUrl"]
    newer = data + b"\0" * 7
    await bot.api.container.storage.put_bytes(str(stored.relative_to(stored.parents[1])), newer)
    r = await get(_url(m), headers={**owner, "If-None-Match": tag})
    assert r.status_code == 200 and r.content == newer and r.headers["etag"] != tag
    r = await get(_url(m), headers={**owner, "Range": "bytes=0-3", "If-Range": tag})
    assert r.status_code == 200 and r.content == newer


async def test_a_voice_note_with_codec_parameters_plays_inline(bot: Bot) -> None:
    ogg = b"OggS\x00\x02" + bytes(100)
    m = await _inbound(bot, ogg, "audio/ogg; codecs=opus")
    assert not m["mediaUrl"].endswith(".bin")
    r = await bot.api.client.get(_url(m), headers=bot.owner.headers())
    assert r.status_code == 200 and r.content == ogg
    assert r.headers["content-type"] == "audio/ogg"
    assert r.headers["content-disposition"].startswith("inline;")
    # one stored before that fix, as .bin: the bytes decide
    old = Path(bot.api.container.settings.data_dir) / m["mediaUrl"]
    old.rename(old.with_suffix(".bin"))
    url = str(Path(m["mediaUrl"]).with_suffix(".bin"))
    await bot.db(lambda: Message.update({Message.media_url: url}).where(Message.id == m["id"]))
    r = await bot.api.client.get(_url(m), headers=bot.owner.headers())
    assert r.headers["content-type"] == "audio/ogg" and r.content == ogg


async def test_another_workspace_never_gets_it(bot: Bot) -> None:
    m = await _inbound(bot, png(), "image/png")
    stranger = await bot.api.register("Eve", "Elsewhere")
    r = await bot.api.client.get(_url(m), headers=stranger.headers())
    assert r.status_code == 404 and r.json()["title"] == "Not Found"
    r = await bot.api.client.get(_url(m), headers=stranger.headers(bot.owner.workspace_id))
    assert r.status_code == 403


async def test_svg_and_html_are_downloads_never_pages(bot: Bot) -> None:
    svg = await _inbound(bot, SVG, "image/svg+xml")
    r = await bot.api.client.get(_url(svg), headers=bot.owner.headers())
    assert r.status_code == 200 and r.content == SVG
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"
    page = await _inbound(bot, b"<html><script>alert(1)</script>", "text/html")
    r = await bot.api.client.get(_url(page), headers=bot.owner.headers())
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    # a PNG label on bytes that are not a PNG is not trusted inline either
    fake = await _inbound(bot, b"<svg onload=alert(1)>", "image/png")
    r = await bot.api.client.get(_url(fake), headers=bot.owner.headers())
    assert r.headers["content-disposition"].startswith("attachment;")


async def test_an_agents_document_keeps_its_name_safely_quoted(bot: Bot) -> None:
    await _inbound(bot, png(), "image/png")
    conv = (await bot.conversation_of(ANN))["id"]
    pdf = b"%PDF-1.4\n% a tiny test document\n"
    r = await bot.send(
        "POST", f"/conversations/{conv}/messages", files={"file": ('quote"; évil.pdf', pdf)}
    )
    assert r.status_code == 201, r.text
    m = {**r.json(), "conversationId": conv}
    r = await bot.api.client.get(_url(m), headers=bot.owner.headers())
    assert r.status_code == 200 and r.content == pdf
    assert r.headers["content-type"] == "application/pdf"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="quote__ _vil.pdf"')  # no early quote
    assert "filename*=UTF-8''quote%22%3B%20%C3%A9vil.pdf" in disposition


async def test_a_stored_path_outside_the_workspace_folder_is_refused(bot: Bot) -> None:
    m = await _inbound(bot, png(), "image/png")
    data_dir = Path(bot.api.container.settings.data_dir)
    (data_dir / "secret.txt").write_text("not yours")
    (data_dir / "media" / "other").mkdir(parents=True)
    (data_dir / "media" / "other" / "x.png").write_text("not yours")  # another workspace's
    bad_urls = ("media/../secret.txt", "media/other/x.png", "/etc/passwd", "media/", "media/\x00")
    for bad in bad_urls:
        await bot.db(
            lambda b=bad: Message.update({Message.media_url: b}).where(Message.id == m["id"])
        )
        r = await bot.api.client.get(_url(m), headers=bot.owner.headers())
        assert r.status_code == 404, (bad, r.text)
        assert "not yours" not in r.text


async def test_missing_file_or_no_media_is_a_404_problem(bot: Bot) -> None:
    m = await _inbound(bot, png(), "image/png")
    (Path(bot.api.container.settings.data_dir) / m["mediaUrl"]).unlink()
    r = await bot.api.client.get(_url(m), headers=bot.owner.headers())
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == "media no longer available"
    await bot.simulate(ANN, "just text")
    thread = await bot.conversation_of(ANN)
    text = next(x for x in thread["messages"] if x["content"] == "just text")
    url = _url({**text, "conversationId": thread["id"]})
    r = await bot.api.client.get(url, headers=bot.owner.headers())
    assert r.status_code == 404


async def test_a_contacts_document_keeps_the_name_it_came_with(bot: Bot) -> None:
    pdf = b"%PDF-1.4\n% a contact's invoice\n"
    m = await _inbound(bot, pdf, "application/pdf", "../Invoice 2231.pdf")
    assert m["mediaFilename"] == "Invoice 2231.pdf" and m["mediaMime"] == "application/pdf"
    r = await bot.api.client.get(_url(m), headers=bot.owner.headers())
    assert r.status_code == 200 and r.content == pdf
    assert r.headers["content-disposition"].startswith('attachment; filename="Invoice 2231.pdf"')
