"""A transcriber for tests: returns `fake_text` (or the audio itself when it is UTF-8 text)."""

from __future__ import annotations

from app.speech.base import SpeechError, SpeechSettings, Transcript


class FakeTranscriber:
    def __init__(self, settings: SpeechSettings) -> None:
        self.settings = settings
        self.calls: list[tuple[int, str]] = []

    async def transcribe(self, audio: bytes, mime: str) -> Transcript:
        self.calls.append((len(audio), mime))
        if not audio:
            raise SpeechError("empty audio")
        try:
            text = audio.decode("utf-8") if mime.startswith("text/") else self.settings.fake_text
        except UnicodeDecodeError:
            text = self.settings.fake_text
        return Transcript(text=text, language=self.settings.language or "en", duration_s=1.0)

    async def aclose(self) -> None:
        return None
