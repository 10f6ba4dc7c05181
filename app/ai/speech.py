"""Transcribers for voice notes: one per whisper model in use, built on first use (loading a
model is not free) and reused.

Each workspace picks its model (`speechModel`; none → the operator's `speech_model_dir`, else
the built-in tiny.en; "openai" → OpenAI's transcription with the workspace's own OpenAI key and
base URL, so a compatible server works too). An agency may run several, so only the `keep`
most recently used stay loaded — a `small` model holds ~500 MB of RAM — and each is unloaded
after `model_idle_unload_s` without a voice note. A workspace whose chosen
model was deleted falls back to the default instead of losing its voice notes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from pathlib import Path

from app.ai.model_pool import api_key_name
from app.domain import NotFound
from app.domain.workspace_settings import DEFAULTS, OPENAI_SPEECH, WorkspaceSettings
from app.secrets import SecretStore
from app.settings import Settings
from app.speech import SpeechSettings, Transcriber, build_transcriber
from app.speech.whisper_store import WhisperModelStore

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

    def get(
        self,
        model: str | None = None,
        workspace_id: str = "",
        ws: WorkspaceSettings = DEFAULTS,
    ) -> Transcriber:
        """The transcriber for a workspace's `speechModel` ("openai" = its OpenAI account)."""
        if model == OPENAI_SPEECH or self.settings.speech_provider == "openai":
            speech = self._openai(workspace_id, ws)
            key = f"openai|{speech.base_url}|{hash(speech.api_key)}"
        elif self.settings.speech_provider == "fake":
            speech, key = SpeechSettings(provider="fake"), "fake"
        else:
            folder = self.model_dir(model)
            idle = self.settings.model_idle_unload_s
            speech, key = SpeechSettings(model_dir=folder, idle_unload_s=idle), str(folder or "")
        transcriber = self._loaded.get(key)
        if transcriber is None:
            transcriber = self._loaded[key] = build_transcriber(speech)
        self._loaded.move_to_end(key)
        while len(self._loaded) > self.keep:
            _, old = self._loaded.popitem(last=False)
            # frees the weights; a transcription already running keeps its own reference
            task = asyncio.get_running_loop().create_task(old.aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        return transcriber

    def _openai(self, workspace_id: str, ws: WorkspaceSettings) -> SpeechSettings:
        """The workspace's OpenAI key (else an install-wide one) and, when its chat model is an
        OpenAI-compatible server, that server's URL."""
        own_server = ws.ai_provider == "openai" and ws.ai_base_url
        return SpeechSettings(
            provider="openai",
            api_key=self.secrets.get(api_key_name(workspace_id))
            or self.secrets.get("openai_api_key"),
            base_url=ws.ai_base_url if own_server else None,
            ssrf_allow=self.settings.egress_allow,
        )

    async def aclose(self) -> None:
        for transcriber in self._loaded.values():
            await transcriber.aclose()
        self._loaded.clear()
        if self._closing:
            await asyncio.gather(*self._closing)
