"""Per-workspace model selection: WorkspaceSettings + secrets → `LLMSettings` → a cached adapter.

Adapters hold HTTP clients (or a loaded GGUF), so one instance serves every message of a
workspace until its settings change; the cache key is the full `LLMSettings`, so a PATCH to
the settings (or a new API key) takes effect on the next message without a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.domain.workspace_settings import WorkspaceSettings
from app.llm import LLM, GgufStore, LLMSettings, build_llm
from app.secrets import SecretStore
from app.settings import Settings

PROVIDERS = ("anthropic", "openai", "llamacpp", "extractive")


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
        )

    def get(self, workspace_id: str, ws: WorkspaceSettings) -> LLM:
        """The adapter for this workspace's current settings (built once, then reused)."""
        key = self.llm_settings(workspace_id, ws)
        llm = self._cache.get(key)
        if llm is None:  # superseded adapters stay until shutdown: calls may be in flight
            llm = self._cache[key] = self.factory(key)
        return llm

    async def aclose(self) -> None:
        for llm in list(self._cache.values()):
            await llm.aclose()
        self._cache.clear()
