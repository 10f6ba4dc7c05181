"""Speech to text for voice notes: a `Transcriber` port, adapters and a registry."""

from app.speech.base import SpeechError, SpeechProvider, SpeechSettings, Transcriber, Transcript
from app.speech.faster_whisper import packaged_model_dir
from app.speech.registry import build_transcriber

__all__ = [
    "SpeechError",
    "SpeechProvider",
    "SpeechSettings",
    "Transcriber",
    "Transcript",
    "build_transcriber",
    "packaged_model_dir",
]
