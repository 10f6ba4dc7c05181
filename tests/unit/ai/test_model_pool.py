"""The per-workspace model cache: a local model no workspace uses any more is closed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.ai.model_pool import ModelPool
from app.domain.workspace_settings import WorkspaceSettings
from app.llm import GgufStore
from app.llm.fake import FakeLLM
from app.secrets import build_secret_store
from tests.conftest import make_settings


class Local(FakeLLM):
    """A fake that says it is a local model and records being closed."""

    provider = "llamacpp"
    closed = 0

    async def aclose(self) -> None:
        Local.closed += 1


async def test_superseded_local_models_are_released_shared_ones_kept(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", llm_provider_override=None)
    secrets = build_secret_store(settings)[0]
    pool = ModelPool(settings, secrets, GgufStore(settings.data_dir / "models"), factory=Local)
    Local.closed = 0
    a = pool.get("ws-a", WorkspaceSettings(ai_provider="llamacpp", ai_model="x.gguf"))
    b = pool.get("ws-b", WorkspaceSettings(ai_provider="llamacpp", ai_model="x.gguf"))
    assert a is b  # the same settings share one loaded model
    pool.get(
        "ws-a", WorkspaceSettings(ai_provider="llamacpp", ai_model="x.gguf", ai_temperature=0.2)
    )
    await asyncio.sleep(0)
    assert Local.closed == 0  # ws-b still answers with the first one
    pool.get("ws-b", WorkspaceSettings(ai_provider="llamacpp", ai_model="y.gguf"))
    await asyncio.sleep(0)
    assert Local.closed == 1  # nobody uses x.gguf at 0.7 any more
    pool.get("ws-b", WorkspaceSettings(ai_provider="extractive"))
    await asyncio.sleep(0)
    assert Local.closed == 2  # y.gguf too
    await pool.aclose()


def test_local_models_get_the_idle_unload_setting_cloud_ones_do_not(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path / "data", llm_provider_override=None, model_idle_unload_s=42.0
    )
    pool = ModelPool(settings, build_secret_store(settings)[0], GgufStore(tmp_path / "models"))
    local = pool.llm_settings("ws", WorkspaceSettings(ai_provider="llamacpp", ai_model="x.gguf"))
    cloud = pool.llm_settings("ws", WorkspaceSettings(ai_provider="openai", ai_model="gpt"))
    assert local.idle_unload_s == 42.0 and cloud.idle_unload_s is None
