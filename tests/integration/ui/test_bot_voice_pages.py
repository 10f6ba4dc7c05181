"""The bot tab's voice-notes card through NiceGUI's User simulation: the built-in model and the
catalog, a failed and a successful download (progress events redraw the card), choosing the
model for the workspace, and deleting it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.whisper_hub import Hub, whisper_hub
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_bot_settings_pages import _owner, _set


@pytest.fixture
def hub(dashboard: Dashboard) -> Iterator[Hub]:
    with whisper_hub() as hub:
        store = dashboard.container.services.speech_models.store
        store.base_url, store.allow = hub.url, ("127.0.0.1",)  # a LAN mirror, allow-listed
        dashboard.container.services.speech_models._jobs.allowed = True  # the operator opted in
        yield hub


async def test_download_choose_and_delete_a_voice_model(dashboard: Dashboard, hub: Hub) -> None:
    user, actor = await _owner(dashboard)
    await user.should_see("tiny.en (built in, English only)")
    await user.should_see("base (many languages)")
    await user.should_not_see(marker="delete-speech-tiny.en")  # the built-in one stays
    hub.broken.add("Systran/faster-whisper-base")
    user.find(marker="download-speech-base").click()
    await user.should_see(marker="speech-failed-base")
    user.find(marker="download-speech-tiny").click()
    await user.should_see(marker="delete-speech-tiny", retries=300)  # installed
    _set(user, "speech-model", "tiny")
    user.find(marker="save-voice").click()
    await user.should_see("Voice saved")
    view = await dashboard.container.services.settings.get(actor)
    assert view.speech_model == "tiny"
    user.find(marker="delete-speech-tiny").click()
    await user.should_see(marker="confirm-ok")
    user.find(marker="confirm-ok").click()
    await user.should_see("Deleted tiny")
    await user.should_see(marker="download-speech-tiny")
    assert (await dashboard.container.services.settings.get(actor)).speech_model is None
