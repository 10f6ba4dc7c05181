"""Voice-note transcription speed: a ~30 s espeak-ng voice note (OGG/Opus) through
faster-whisper tiny.en with VAD, on this machine's cores. Target: ≤ 8 s.

Run on demand:  pytest tests/bench/test_transcription_speed.py -s
"""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from app.speech import SpeechSettings, build_transcriber
from tests.fakes.voice import voice_note

SCRIPT = (
    "Hello, this is Maria. I ordered a chocolate cake last Tuesday for my daughter's birthday, "
    "and I wanted to check whether it is ready. I can pick it up tomorrow morning at nine, or "
    "if that is too early, any time before noon works for me. Also, could you tell me if you "
    "still have the gluten free bread on Fridays, because my husband cannot eat wheat. And one "
    "more thing, do you deliver to the north side of the city? We live about four kilometers "
    "from the shop. Thank you very much, and have a lovely day."
)


@pytest.mark.parametrize("threads", [0, 2])
def test_transcription_real_time_factor(threads: int) -> None:
    audio = voice_note(SCRIPT)
    transcriber = build_transcriber(SpeechSettings(cpu_threads=threads))

    async def run() -> tuple[float, float, float, str]:
        started = time.perf_counter()
        await transcriber.load()  # type: ignore[attr-defined]
        load_s = time.perf_counter() - started
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            transcript = await transcriber.transcribe(audio, "audio/ogg; codecs=opus")
            timings.append(time.perf_counter() - started)
        return load_s, min(timings), transcript.duration_s, transcript.text

    load_s, wall_s, duration_s, text = asyncio.run(run())
    print(
        f"\n[faster-whisper tiny.en int8, VAD on, cpu_threads={threads or 'auto'}, "
        f"cpus={os.cpu_count()}] audio {duration_s:.1f}s ({len(audio) // 1024} KiB ogg/opus) | "
        f"load {load_s:.2f}s | transcribe {wall_s:.2f}s | RTF {wall_s / duration_s:.3f}\n"
        f"  transcript: {text[:160]}..."
    )
    assert 25 <= duration_s <= 40
    assert wall_s <= 8.0
    assert "cake" in text.lower()
