"""The setup wizard through NiceGUI's User simulation: the simulator and "no model" path end to
end, each step's validation errors, and who may open it."""

from __future__ import annotations

from pathlib import Path

import pytest
from nicegui.testing.user import User

from app.channels import NeonizeChannel
from app.domain import Actor, Invalid, Role
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_settings_pages import _choose, _eventually
from ui.pages.onboarding.model_step import patch_for


async def _click(user: User, marker: str) -> None:
    await user.should_see(marker=marker)
    user.find(marker=marker).click()


def _owner(session) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(session.user.id).in_workspace(session.workspace.id, Role.OWNER)


async def test_register_lands_in_the_wizard(dashboard: Dashboard) -> None:
    user = dashboard.new_user()
    await user.open("/register")
    user.find("Your name").type("Nia")
    user.find("Email").type("nia@example.com")
    user.find("Password (10+ characters)").type("Correct-horse-9")
    user.find("Business or workspace name").type("Nia's")
    user.find("Create account").click()
    await user.should_see(marker="stepper")
    await user.should_see(marker="onboarding-workspace-name")
    with user:
        assert user.find(marker="onboarding-workspace-name").elements.pop().value == "Nia's"
    user.find(marker="skip-setup").click()
    await user.should_see(marker="greeting")
    await user.should_see(marker="setup-card")  # still offered: nothing is set up yet


async def test_simulator_and_no_model_path_with_validation(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com", "Olga", "Acme")
    actor = _owner(owner)
    services = dashboard.container.services
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/onboarding")

    # 1. the name: empty is refused in place, a new one is saved
    user.find(marker="onboarding-workspace-name").clear()
    await _click(user, "workspace-next")
    await user.should_see("workspace name must not be empty")
    user.find(marker="onboarding-workspace-name").type("Acme Bakery")
    await _click(user, "workspace-next")
    await _eventually(
        lambda: _name_is(services, actor, owner.workspace.id, "Acme Bakery")  # type: ignore[union-attr]
    )

    # 2. the phone simulator: a CONNECTED simulator session
    await _click(user, "start-simulator")
    await user.should_see("Simulator ready (simulator) ✓")
    (sim,) = await services.sessions.list(actor)
    assert sim.channel == "simulator" and sim.status == "CONNECTED"
    await services.sessions.disconnect(actor, sim.id)
    await _click(user, "start-simulator")  # a second click reuses it, switched on again

    async def running_again() -> bool:
        return (await services.sessions.state(actor, sim.id)).running

    await _eventually(running_again)
    assert [s.id for s in await services.sessions.list(actor)] == [sim.id]

    # 3. persona and model: no name and a cloud model without a key are refused
    user.find(marker="bot-name").clear()
    await _click(user, "model-next")
    await user.should_see("Give the bot a name")
    user.find(marker="bot-name").type("Bella")
    user.find("Cloud model (Anthropic or OpenAI key)").click()
    await _click(user, "model-next")
    await user.should_see("Paste the API key")
    user.find("OpenAI-compatible server (Ollama, LM Studio, vLLM…)").click()
    user.find(marker="base-url").type("localhost:11434")
    await _click(user, "model-next")
    await user.should_see("starts with http:// or https://")
    user.find("No model: answer from my FAQs and documents").click()
    user.find(marker="bot-persona").type("You are Bella of Acme Bakery.")
    await _click(user, "model-next")
    await _eventually(lambda: _settings_are(services, actor, "Bella", "extractive"))

    # 4. a first FAQ: both halves are required
    await _click(user, "add-faq")
    await user.should_see("Write both the question and its answer.")
    user.find(marker="faq-question").type("When are you open?")
    user.find(marker="faq-answer").type("Every day from 7 to 19.")
    await _click(user, "add-faq")
    await user.should_see("Added the question ✓")
    (kb,) = await services.knowledge.list(actor)
    assert kb.faq_count == 1

    # 5. try it: the question is prefilled, the FAQ's answer comes back
    await _eventually(lambda: _prefilled(user, "When are you open?"))
    await _click(user, "try-ask")
    await user.should_see("Every day from 7 to 19.")
    await user.should_see("From an FAQ")
    await _click(user, "finish")
    await user.should_see(marker="greeting")
    await user.should_not_see(marker="setup-card")  # a session and knowledge: set up


async def test_try_step_refuses_an_empty_question_and_pairing_a_bad_number(
    dashboard: Dashboard,
) -> None:
    owner = await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/onboarding")
    await _click(user, "try-ask")
    await user.should_see("Type a question first.")
    user.find(marker="tab-pair").click()
    user.find(marker="pair-phone").type("12ab")
    await _click(user, "get-code")
    await user.should_see("international format")
    # the typo was caught before any session (or WhatsApp worker) started
    assert await dashboard.container.services.sessions.list(_owner(owner)) == []


async def test_agents_cannot_run_the_wizard(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    await dashboard.member(owner, "agent@example.com", Role.AGENT)
    user = await dashboard.signed_in("agent@example.com")
    await _choose(dashboard, user, owner)
    await user.open("/onboarding")
    await user.should_see(marker="forbidden")
    await user.should_not_see(marker="stepper")
    await user.open("/dashboard")
    await user.should_see(marker="kpis")
    await user.should_not_see(marker="setup-card")


async def _name_is(services, actor: Actor, ws_id: str, name: str) -> bool:  # type: ignore[no-untyped-def]
    return (await services.workspaces.get(actor, ws_id)).name == name


async def _settings_are(services, actor: Actor, bot: str, provider: str) -> bool:  # type: ignore[no-untyped-def]
    saved = await services.settings.get(actor)
    return saved.bot_name == bot and saved.ai_provider == provider


async def _prefilled(user: User, text: str) -> bool:
    with user:
        return user.find(marker="try-question").elements.pop().value == text


@pytest.fixture
def scripted_whatsapp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Real WhatsApp sessions run a real worker process with the scripted neonize client:
    a QR code, and four seconds later the phone has scanned it."""
    from app.channels import manager

    def build(spec: manager.ChannelSpec, events):  # type: ignore[no-untyped-def]
        if spec.kind == "simulator":
            return real(spec, events)
        assert spec.session_dir is not None and spec.credentials_key is not None
        return NeonizeChannel(
            spec.session_id, spec.session_dir, spec.credentials_key, events,
            runtime_base=tmp_path / "run", fake_script="qr,sleep:4,connected",
        )  # fmt: skip

    real = manager.build_channel
    monkeypatch.setattr(manager, "build_channel", build)


@pytest.mark.usefixtures("scripted_whatsapp")
async def test_qr_code_shows_then_turns_connected_and_pairing_gives_a_code(
    dashboard: Dashboard,
) -> None:
    owner = await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/onboarding")
    user.find(marker="tab-qr").click()
    await _click(user, "show-qr")
    await user.should_see(marker="qr-image", retries=300)  # a worker process starts first
    with user:
        (image,) = user.find(marker="qr-image").elements
        assert image.source.startswith("data:image/png;base64,")  # type: ignore[attr-defined]
    await user.should_see("Waiting for the scan…")
    await user.should_see("Connected ✓", retries=300)  # whatsapp:status (or the 3 s poll)
    await user.should_not_see(marker="qr-image")
    (session,) = await dashboard.container.services.sessions.list(_owner(owner))
    assert session.channel != "simulator" and session.account_id == "main"

    user.find(marker="tab-pair").click()
    user.find(marker="pair-phone").type("+49 176 1234 5678")
    await _click(user, "get-code")
    await user.should_see("FAKE-5678")  # the same session, asked for a pairing code
    assert len(await dashboard.container.services.sessions.list(_owner(owner))) == 1


def test_each_model_choice_sets_its_fields() -> None:
    assert patch_for("extractive", {}, has_key=False) == {
        "ai_provider": "extractive", "ai_base_url": None,
    }  # fmt: skip
    cloud = patch_for("cloud", {"provider": "openai", "key": " sk-123 "}, has_key=False)
    assert cloud == {"ai_provider": "openai", "ai_model": "gpt-4o-mini", "ai_base_url": None,
                     "ai_api_key": "sk-123"}  # fmt: skip
    kept = patch_for("cloud", {"provider": "anthropic"}, has_key=True)  # the stored key stays
    assert "ai_api_key" not in kept and kept["ai_model"] == "claude-haiku-4-5"
    local = patch_for("llamacpp", {"model": "gemma.gguf"}, has_key=False)
    assert local["ai_provider"] == "llamacpp" and local["ai_model"] == "gemma.gguf"
    with pytest.raises(Invalid, match="Choose a local model file"):
        patch_for("llamacpp", {}, has_key=False)
    with pytest.raises(Invalid, match="Name the model"):
        patch_for("compatible", {"base_url": "http://localhost:11434/v1"}, has_key=False)


async def test_an_openai_compatible_server_is_saved_with_its_url(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/onboarding")
    user.find("Local GGUF model on this computer").click()
    await user.should_see(marker="no-local-models")  # no GGUF file in the data dir yet
    await _click(user, "model-next")
    await user.should_see("Choose a local model file")
    user.find("OpenAI-compatible server (Ollama, LM Studio, vLLM…)").click()
    user.find(marker="base-url").type("http://localhost:11434/v1")
    user.find(marker="model-name").type("llama3.2")
    await _click(user, "model-next")
    settings = dashboard.container.services.settings
    actor = _owner(owner)

    async def saved() -> bool:
        got = await settings.get(actor)
        return (got.ai_provider, got.ai_model, got.ai_base_url, got.ai_api_key) == (
            "openai", "llama3.2", "http://localhost:11434/v1", None,
        )  # fmt: skip

    await _eventually(saved)


async def test_text_and_file_go_to_the_default_knowledge_base(dashboard: Dashboard) -> None:
    from nicegui import ui
    from nicegui.elements.upload_files import SmallFileUpload

    owner = await dashboard.register("owner@example.com")
    actor = _owner(owner)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/onboarding")
    user.find(marker="tab-text").click()
    await _click(user, "add-text")
    await user.should_see("Paste some text for the bot to learn from.")
    user.find(marker="manual-text").type("Parking is free behind the shop.")
    await _click(user, "add-text")
    await user.should_see("Added the text (indexing in the background) ✓")

    user.find(marker="tab-file").click()
    with user:
        (upload,) = user.find(marker="kb-upload").elements
    assert isinstance(upload, ui.upload)
    empty = SmallFileUpload(name="empty.txt", content_type="text/plain", _data=b"")
    await upload.handle_uploads([empty])
    await user.should_see(marker="knowledge-error")  # an empty file is refused in place
    prices = SmallFileUpload(name="prices.txt", content_type="text/plain", _data=b"Bread 3 EUR")
    await upload.handle_uploads([prices])
    await user.should_see("Added prices.txt ✓")

    services = dashboard.container.services
    (kb,) = await services.knowledge.list(actor)
    names = {d.name: d.type for d in await services.documents.list(actor, kb.id)}
    assert names == {"About us": "MANUAL", "prices.txt": "TXT"}


async def test_a_whatsapp_worker_that_cannot_start_is_shown_in_the_form(
    dashboard: Dashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.channels import manager

    def broken(spec: manager.ChannelSpec, events):  # type: ignore[no-untyped-def]
        raise RuntimeError("neonize is not installed")

    monkeypatch.setattr(manager, "build_channel", broken)
    await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/onboarding")
    user.find(marker="tab-qr").click()
    await _click(user, "show-qr")
    await user.should_see("WhatsApp could not start here: neonize is not installed")
