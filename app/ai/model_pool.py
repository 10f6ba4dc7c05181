"""Per-workspace model selection: WorkspaceSettings + secrets → `LLMSettings` → a cached adapter.

Adapters hold HTTP clients (or a loaded GGUF), so one instance serves every message of a
workspace until its settings change; the cache key is the full `LLMSettings`, so a PATCH to
the settings (or a new API key) takes effect on the next message without a restart.

A local model holds its weights in RAM (0.3–3 GB), so when a workspace moves to other
settings (another model, even another temperature) the local adapter no workspace uses any
more is closed — after its running call, if any — instead of staying loaded until shutdown;
one a workspace still uses drops its weights after `model_idle_unload_s` without a reply and
loads them again for the next one (app/llm/llamacpp.py, app/idle_model.py).
When the app stops, `abandon()` tells every adapter that can to give up its running call
(llama.cpp, between two tokens): shutdown never waits for a model to finish a reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from app.domain.workspace_settings import WorkspaceSettings
from app.llm import LLM, GgufStore, LLMSettings, build_llm
from app.llm.base import Abandonable
from app.secrets import SecretStore
from app.settings import Settings

PROVIDERS = ("anthropic", "openai", "llamacpp", "extractive")
log = logging.getLogger(__name__)


def api_key_name(workspace_id: str) -> str:
    """The secrets-store entry of a workspace's model API key."""
    return f"ai_api_key:{workspace_id}"


class ModelPool:
    def __init__(
        self,
        settings: Settings,
        secrets: SecretStore,
        gguf: GgufStore,
        factory: Callable[[LLMSettings], LLM] = build_llm,
    ) -> None:
        self.settings = settings
        self.secrets = secrets
        self.gguf = gguf  # where a llamacpp workspace's `aiModel` file is found
        self.factory = factory
        self._cache: dict[LLMSettings, LLM] = {}
        self._current: dict[str, LLMSettings] = {}  # workspace → the settings it uses now
        self._closing: set[asyncio.Task[None]] = set()
        self._stopping = False

    def llm_settings(self, workspace_id: str, ws: WorkspaceSettings) -> LLMSettings:
        provider = self.settings.llm_provider_override or ws.ai_provider
        model = ws.ai_model
        model_path: Path | None = None
        if provider == "llamacpp" and model:
            candidate = Path(model)
            model_path = candidate if candidate.is_absolute() else self.gguf.models_dir / model
        return LLMSettings(
            provider=provider,  # type: ignore[arg-type]  # stored text; build_llm refuses unknowns
            model=model,
            api_key=self.secrets.get(api_key_name(workspace_id)),
            base_url=ws.ai_base_url or None,
            ssrf_allow=self.settings.egress_allow,
            temperature=ws.ai_temperature,
            max_tokens=ws.ai_max_tokens,
            timeout=self.settings.llm_timeout_s,
            max_retries=self.settings.llm_max_retries,
            model_path=model_path,
            deadline_s=self.settings.local_reply_deadline_s if provider == "llamacpp" else None,
            idle_unload_s=self.settings.model_idle_unload_s if provider == "llamacpp" else None,
        )

    def get(self, workspace_id: str, ws: WorkspaceSettings) -> LLM:
        """The adapter for this workspace's current settings (built once, then reused)."""
        key = self.llm_settings(workspace_id, ws)
        llm = self._cache.get(key)
        if llm is None:
            llm = self._cache[key] = self.factory(key)
            if self._stopping and isinstance(llm, Abandonable):
                llm.abandon()
        previous, self._current[workspace_id] = self._current.get(workspace_id), key
        if previous is not None and previous != key:
            self._release(previous)
        return llm

    def _release(self, settings: LLMSettings) -> None:
        """Close a local model no workspace uses any more (it waits for its running call).
        Cloud adapters stay: closing their HTTP client could fail a call in flight."""
        if settings.provider != "llamacpp" or settings in self._current.values():
            return
        old = self._cache.pop(settings, None)
        if old is None:
            return
        log.info("releasing local model %s (no workspace uses these settings)", old.model)
        task = asyncio.get_running_loop().create_task(old.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def abandon(self) -> None:
        """Stopping: running local-model calls end between two tokens with `Abandoned`."""
        self._stopping = True
        for llm in list(self._cache.values()):
            if isinstance(llm, Abandonable):
                llm.abandon()

    async def aclose(self) -> None:
        await asyncio.gather(*self._closing, return_exceptions=True)
        for llm in list(self._cache.values()):
            await llm.aclose()
        self._cache.clear()
