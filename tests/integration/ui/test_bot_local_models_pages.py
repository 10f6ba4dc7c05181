"""The bot tab's local models card through NiceGUI's User simulation: the list, delete after a
confirm, a download from a loopback server (failure, progress to done, the model picker updated
by the same event) and the desktop-only import from a path."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.integration.api.test_local_models import model_server  # noqa: F401
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_bot_settings_pages import _owner, _set


async def test_local_models_list_download_errors_and_delete(dashboard: Dashboard) -> None:
    models_dir = dashboard.container.services.local_models._manager.models_dir  # type: ignore[attr-defined]
    models_dir.mkdir(parents=True, exist_ok=True)
    (models_dir / "tiny.gguf").write_bytes(b"GGUF" + b"\0" * 2048)
    dashboard.container.services.local_models._jobs.allowed = True  # the operator opted in
    user, _ = await _owner(dashboard)
    await user.should_see("tiny.gguf")
    await user.should_see("2.0 KB")
    await user.should_not_see(marker="import-model")  # the test profile is headless
    user.find(marker="download-url").type("ftp://example.com/m.gguf")
    user.find(marker="download-model").click()
    await user.should_see("model URL must be http:// or https://")
    user.find(marker="delete-model-tiny.gguf").click()
    await user.should_see(marker="confirm-ok")
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="no-models")
    assert not (models_dir / "tiny.gguf").exists()


async def test_download_shows_progress_then_lists_the_model(
    dashboard: Dashboard,
    model_server: str,  # noqa: F811
) -> None:
    # the test server is on loopback: allow-listed, as an operator would a LAN mirror
    dashboard.container.services.local_models._manager.allow = ("127.0.0.1",)  # type: ignore[attr-defined]
    dashboard.container.services.local_models._jobs.allowed = True  # the operator opted in
    user, _ = await _owner(dashboard)
    await user.should_see(marker="no-models")
    _set(user, "provider", "llamacpp")
    await user.should_see("No local model yet")
    user.find(marker="download-url").type(f"{model_server}/page.gguf?x=1")
    user.find(marker="download-model").click()  # serves HTML: refused after the first bytes
    await user.should_see("page.gguf: failed — the URL does not serve a GGUF model file")
    user.find(marker="download-url").clear().type(f"{model_server}/tiny.gguf")
    user.find(marker="download-model").click()
    await user.should_see("tiny.gguf: downloaded (4.0 KB)")
    await user.should_see(content="tiny.gguf", marker="model-row")
    bar = next(iter(user.find(marker="download-progress").elements))
    assert bar.value == 1  # type: ignore[attr-defined]
    picker = next(iter(user.find(marker="model-file").elements))
    for _ in range(50):  # the model card's file list follows the same event
        if picker.options == ["tiny.gguf"]:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.05)
    assert picker.options == ["tiny.gguf"]  # type: ignore[attr-defined]
    await user.should_not_see("No local model yet")


async def test_desktop_imports_a_model_from_a_path(
    dashboard: Dashboard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = dashboard.container.services.local_models
    monkeypatch.setattr(service, "_headless", False)  # as the desktop app runs
    source = tmp_path / "mine.gguf"
    source.write_bytes(b"GGUF" + b"\0" * 100)
    user, _ = await _owner(dashboard)
    user.find(marker="import-path").type(str(tmp_path / "missing.gguf"))
    user.find(marker="import-model").click()
    await user.should_see(marker="models-error")
    user.find(marker="import-path").clear().type(str(source))
    user.find(marker="import-model").click()
    await user.should_see("Imported mine.gguf")
    await user.should_see(content="mine.gguf", marker="model-row")
    assert [x.name for x in service.list()] == ["mine.gguf"]


async def test_a_server_without_the_opt_in_offers_no_downloads(dashboard: Dashboard) -> None:
    """Headless, model downloads are the operator's call (AIMY_MODEL_DOWNLOADS)."""
    user, _ = await _owner(dashboard)
    await user.should_see(marker="downloads-off")
    await user.should_not_see(marker="download-url")
    await user.should_see(marker="speech-downloads-off")
    await user.should_not_see(marker="download-speech-base")
    await user.should_see("base (many languages)")  # the catalog is still listed
