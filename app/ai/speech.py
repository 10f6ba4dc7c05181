"""Transcribers for voice notes: one per whisper model in use, built on first use (loading a
model is not free) and reused.

Each workspace picks its model (`speechModel`; none → the operator's `speech_model_dir`, else
the built-in tiny.en). An agency may run several, so only the `keep` most recently used stay
loaded — a `small` model holds ~500 MB of RAM. A workspace whose chosen model was deleted
falls back to the default instead of losing its voice notes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from pathlib import Path

from app.domain import NotFound
from app.secrets import SecretStore
from app.settings import Settings
from app.speech import SpeechSettings, Transcriber, build_transcriber
from app.speech.models import WhisperModelStore

log = logging.getLogger(__name__)


class SpeechPool:
    def __init__(
        self, settings: Settings, secrets: SecretStore, store: WhisperModelStore, keep: int = 2
    ) -> None:
        self.settings = settings
        self.secrets = secrets
        self.store = store
        self.keep = keep
        self._loaded: OrderedDict[str, Transcriber] = OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()

    def model_dir(self, model: str | None) -> Path | None:
        """The directory for a workspace's choice; None means the packaged default."""
        if model:
            try:
                return self.store.path_of(model)
            except NotFound:
                log.warning("whisper model %s is gone; using the default model", model)
        return self.settings.speech_model_dir

    def get(self, model: str | None = None) -> Transcriber:
        local = self.settings.speech_provider == "faster_whisper"
        folder = self.model_dir(model) if local else None
        key = str(folder or "")
        transcriber = self._loaded.get(key)
        if transcriber is None:
            transcriber = build_transcriber(
                SpeechSettings(
                    provider=self.settings.speech_provider,
                    model_dir=folder,
                    api_key=self.secrets.get("openai_api_key"),
                )
            )
            self._loaded[key] = transcriber
        self._loaded.move_to_end(key)
        while len(self._loaded) > self.keep:
            _, old = self._loaded.popitem(last=False)
            # frees the weights; a transcription already running keeps its own reference
            task = asyncio.get_running_loop().create_task(old.aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        return transcriber

    async def aclose(self) -> None:
        for transcriber in self._loaded.values():
            await transcriber.aclose()
        self._loaded.clear()
        if self._closing:
            await asyncio.gather(*self._closing)
