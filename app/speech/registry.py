"""Settings → transcriber, importing only the chosen backend."""

from __future__ import annotations

from app.speech.base import SpeechError, SpeechSettings, Transcriber


def build_transcriber(settings: SpeechSettings) -> Transcriber:
    match settings.provider:
        case "faster_whisper":
            from app.speech.faster_whisper import FasterWhisperTranscriber

            return FasterWhisperTranscriber(settings)
        case "openai":
            from app.speech.openai import OpenAITranscriber

            return OpenAITranscriber(settings)
        case "fake":
            from app.speech.fake import FakeTranscriber

            return FakeTranscriber(settings)
        case other:
            raise SpeechError(f"unknown speech provider {other!r}")
