"""Inbound media through the simulator: voice notes (real faster-whisper), documents, images."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pymupdf

from app.llm.fake import FakeLLM
from tests.fakes.voice import voice_note
from tests.fakes.whisper_hub import whisper_hub
from tests.integration.ai.conftest import AIBot, eventually, make_ai_bot

CAROL = "+15550000003"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def media(data: bytes, mime: str, name: str | None = None, kind: str | None = None) -> Any:
    body: dict[str, Any] = {"mimeType": mime, "base64": base64.b64encode(data).decode()}
    if name:
        body["fileName"] = name
    if kind:
        body["type"] = kind
    return body


async def test_voice_note_transcribed_locally_then_answered(tmp_path: Path) -> None:
    """espeak-ng → OGG/Opus → faster-whisper tiny.en → extractive FAQ answer, all offline."""
    async for bot in make_ai_bot(tmp_path)(llm_provider_override=None):
        await bot.add_faqs(("What are your opening hours?", "Nine to five, Monday to Friday."))
        audio = voice_note("What are your opening hours?")
        await bot.simulate(CAROL, media=media(audio, "audio/ogg; codecs=opus", kind="AUDIO"))
        (reply,) = await bot.bot_messages(CAROL, timeout=60)
        assert reply["content"] == "Nine to five, Monday to Friday."
        inbound = (await bot.conversation_of(CAROL))["messages"][0]
        assert "opening hours" in inbound["mediaTranscript"].lower()


async def test_voice_notes_use_the_model_the_workspace_chose(tmp_path: Path) -> None:
    """A downloaded whisper model, chosen in settings, is the one that transcribes."""
    with whisper_hub() as hub:
        overrides = {
            "speech_models_url": hub.url,
            "ssrf_allow": ("127.0.0.1",),
            "model_downloads": True,
        }
        async for bot in make_ai_bot(tmp_path)(llm_provider_override=None, **overrides):
            await bot.add_faqs(("What are your opening hours?", "Nine to five."))
            r = await bot.send("POST", "/settings/speech-models/tiny/download")
            assert r.status_code == 202, r.text

            async def downloaded(bot: AIBot = bot) -> bool:
                models = await bot.get("/settings/speech-models")
                return any(m["name"] == "tiny" and m["installed"] for m in models)

            await eventually(downloaded)
            assert (await bot.patch_settings(speechModel="tiny"))["speechModel"] == "tiny"
            audio = voice_note("What are your opening hours?")
            await bot.simulate(CAROL, media=media(audio, "audio/ogg; codecs=opus", kind="AUDIO"))
            (reply,) = await bot.bot_messages(CAROL, timeout=60)
            assert reply["content"] == "Nine to five."
            pool = bot.api.container.ai.speech
            assert pool is not None and list(pool._loaded) == [str(pool.store.path_of("tiny"))]


async def test_pdf_text_goes_into_the_prompt(ai_bot: AIBot) -> None:
    bot = ai_bot
    bot.script(fake_replies=("Your invoice total is 42 €.",))
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Invoice 1234. Total due: 42 EUR.")
    pdf = doc.tobytes()
    await bot.simulate(
        CAROL, "What do I owe?", media=media(pdf, "application/pdf", "invoice.pdf", "DOCUMENT")
    )
    (reply,) = await bot.bot_messages(CAROL)
    assert reply["content"] == "Your invoice total is 42 €."
    fake = bot.model()
    assert isinstance(fake, FakeLLM)
    system = fake.calls[0].system or ""
    assert "Document invoice.pdf:" in system and "Total due: 42 EUR." in system
    inbound = (await bot.conversation_of(CAROL))["messages"][0]
    assert "Invoice 1234" in inbound["mediaTranscript"]


async def test_image_described_by_a_vision_model(ai_bot: AIBot) -> None:
    bot = ai_bot
    await bot.simulate(CAROL, "Is this broken?", media=media(PNG, "image/png", kind="IMAGE"))
    (reply,) = await bot.bot_messages(CAROL)
    assert reply["content"] == "echo: Is this broken?"
    fake = bot.model()
    assert isinstance(fake, FakeLLM)
    vision_call, answer_call = fake.calls[0], fake.calls[1]
    assert vision_call.images and vision_call.images[0].mime == "image/png"
    assert "Image description: an image (1 attached)" in (answer_call.system or "")


async def test_image_without_vision_is_acknowledged(tmp_path: Path) -> None:
    async for bot in make_ai_bot(tmp_path)(llm_provider_override=None):
        await bot.simulate(CAROL, media=media(PNG, "image/png", kind="IMAGE"))
        (reply,) = await bot.bot_messages(CAROL)
        assert reply["content"].startswith("Thanks for the image! I can't view images here")


def _clip() -> bytes:
    """A 2 s, 64×48 MPEG-4 clip encoded with PyAV."""
    import io

    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(20):
            pixels = np.full((48, 64, 3), i * 10, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


async def test_video_frames_go_to_vision(ai_bot: AIBot) -> None:
    bot = ai_bot
    await bot.simulate(CAROL, "What is this?", media=media(_clip(), "video/mp4", kind="VIDEO"))
    (reply,) = await bot.bot_messages(CAROL)
    assert reply["content"] == "echo: What is this?"
    fake = bot.model()
    assert isinstance(fake, FakeLLM)
    frames = fake.calls[0].images
    assert len(frames) == 3 and all(f.mime == "image/jpeg" for f in frames)
    assert "Video description: an image (3 attached)" in (fake.calls[1].system or "")
