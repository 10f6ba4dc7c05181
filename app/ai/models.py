"""Per-workspace model selection: WorkspaceSettings + secrets → `LLMSettings` → a cached adapter.

Adapters hold HTTP clients (or a loaded GGUF), so one instance serves every message of a
workspace until its settings change; the cache key is the full `LLMSettings`, so a PATCH to
the settings (or a new API key) takes effect on the next message without a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.llm import LLM, LLMSettings, ModelManager, build_llm
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
        factory: Callable[[LLMSettings], LLM] = build_llm,
    ) -> None:
        self.settings = settings
        self.secrets = secrets
        self.factory = factory
        self.models = ModelManager(settings.data_dir / "models", settings.egress_allow)
        self._cache: dict[LLMSettings, LLM] = {}

    def llm_settings(self, workspace_id: str, ws: dict[str, Any]) -> LLMSettings:
        provider = self.settings.llm_provider_override or ws.get("ai_provider") or "extractive"
        model = str(ws.get("ai_model") or "")
        model_path: Path | None = None
        if provider == "llamacpp" and model:
            candidate = Path(model)
            model_path = candidate if candidate.is_absolute() else self.models.models_dir / model
        return LLMSettings(
            provider=provider,  # type: ignore[arg-type]
            model=model,
            api_key=self.secrets.get(api_key_name(workspace_id)),
            base_url=ws.get("ai_base_url") or None,
            ssrf_allow=self.settings.egress_allow,
            temperature=float(ws.get("ai_temperature", 0.7)),
            max_tokens=int(ws.get("ai_max_tokens") or 1024),
            timeout=self.settings.llm_timeout_s,
            max_retries=self.settings.llm_max_retries,
            model_path=model_path,
        )

    def get(self, workspace_id: str, ws: dict[str, Any]) -> LLM:
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
