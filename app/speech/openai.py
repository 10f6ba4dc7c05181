"""Transcription through OpenAI's `audio.transcriptions` (or a compatible server's)."""

from __future__ import annotations

import mimetypes

import openai

from app.llm.errors import LLMError
from app.llm.retry import RetryPolicy, call_with_retries
from app.llm.sdk_errors import classify_sdk_error
from app.net import Egress
from app.speech.base import SpeechError, SpeechSettings, Transcript

# WhatsApp voice notes say audio/ogg; codecs=opus — the API picks the decoder by file name.
_EXTENSIONS = {"audio/ogg": ".ogg", "audio/opus": ".ogg", "audio/mpeg": ".mp3", "audio/mp4": ".m4a"}


def filename_for(mime: str) -> str:
    base = mime.split(";", 1)[0].strip().lower()
    return "voice" + (_EXTENSIONS.get(base) or mimetypes.guess_extension(base) or ".ogg")


class OpenAITranscriber:
    def __init__(self, settings: SpeechSettings) -> None:
        self.settings = settings
        self._policy = RetryPolicy(max_retries=settings.max_retries, timeout=settings.timeout)
        self._client = openai.AsyncOpenAI(
            api_key=settings.api_key or "not-needed",
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=0,
            http_client=Egress(settings.ssrf_allow).sdk_client(),
        )

    async def transcribe(self, audio: bytes, mime: str) -> Transcript:
        if not audio:
            raise SpeechError("empty audio")

        async def attempt() -> Transcript:
            result = await self._client.audio.transcriptions.create(
                model=self.settings.model,
                file=(filename_for(mime), audio, mime.split(";", 1)[0]),
                response_format="verbose_json",
                language=self.settings.language or openai.omit,
            )
            return Transcript(
                text=(result.text or "").strip(),
                language=getattr(result, "language", None),
                duration_s=float(getattr(result, "duration", 0.0) or 0.0),
            )

        try:
            return await call_with_retries(
                attempt, self._policy, lambda exc: classify_sdk_error(exc, openai)
            )
        except LLMError as exc:
            raise SpeechError(str(exc)) from exc

    async def aclose(self) -> None:
        await self._client.close()
