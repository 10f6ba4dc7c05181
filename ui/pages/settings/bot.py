"""Bot tab: who the bot is (persona), which model answers (provider, key, tuning, a live test),
how it replies (confidence, history, approval), local GGUF models, voice-note transcription,
hours and messages.

Each card saves on its own through the settings service; the API key goes to the secrets store
and only its mask (`sk-…abcd`) ever comes back to the page.
"""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, Resource
from app.domain import records as m
from ui.components import ErrorLabel
from ui.pages.settings import bot_hours, bot_model, bot_models, bot_voice
from ui.pages.settings._shell import section, settings_page
from ui.pages.settings.bot_form import LANGUAGES, lock, number, save_button, submit
from ui.state import container


def create() -> None:
    @settings_page("bot")
    async def body(actor: Actor, ws: m.Workspace) -> None:
        view = await container().services.settings.get(actor)
        editable = actor.may(Resource.SETTINGS, write=True)
        with ui.column().classes("w-full gap-4 max-w-3xl"):
            persona(actor, view, editable)
            use_local = await bot_model.model(actor, view, editable)
            behaviour(actor, view, editable)
            await bot_models.section_(actor, editable, use_local)
            bot_voice.voice(actor, view, editable)
            bot_hours.hours(actor, view, editable)
            bot_hours.messages(actor, view, editable)


def persona(actor: Actor, view: m.WorkspaceSettingsView, editable: bool) -> None:
    with section("Persona", "How the bot introduces itself and talks to customers."):
        name = ui.input("Bot name", value=view.bot_name).props("outlined").classes("w-full")
        name.mark("bot-name")
        text = ui.textarea("Persona / system prompt", value=view.bot_persona or "")
        text.props("outlined autogrow").classes("w-full").mark("bot-persona")
        text.props('placeholder="e.g. You are Mia, the friendly assistant of Olga\'s Bakery…"')
        languages = dict(LANGUAGES)
        languages.setdefault(view.default_language, view.default_language)
        lang = ui.select(languages, label="Reply language", value=view.default_language)
        lang.props("outlined").classes("w-full sm:w-64").mark("bot-language")
        error = ErrorLabel("persona-error")
        values = lambda: {  # noqa: E731
            "bot_name": name.value or "",
            "bot_persona": text.value or None,
            "default_language": lang.value,
        }
        save_button("save-persona", lambda: submit(actor, error, values, "Persona saved"), editable)
        lock(editable, name, text, lang)


def behaviour(actor: Actor, view: m.WorkspaceSettingsView, editable: bool) -> None:
    with section("Replies", "When the bot answers on its own and when a person takes over."):
        with ui.row().classes("w-full gap-4 no-wrap"):
            threshold = (
                ui.number(
                    "Confidence threshold",
                    value=view.confidence_threshold,
                    step=0.05,
                    format="%.2f",
                )
                .props("outlined")
                .classes("grow")
                .mark("confidence")
            )
            history = ui.number("History length", value=view.max_conversation_history, step=1)
            history.props("outlined").classes("grow").mark("history")
        ui.label(
            "Below the threshold (0–1) the bot hands the chat to a person. History is how many "
            "earlier messages the model sees."
        ).classes("text-sm text-grey-7")
        approval = ui.switch(
            "Approve bot replies before they are sent", value=view.approval_mode_default
        )
        approval.mark("approval-mode")
        pause = ui.switch("Pause the bot when a person replies", value=view.human_reply_pauses_bot)
        pause.mark("human-pauses")
        error = ErrorLabel("replies-error")
        values = lambda: {  # noqa: E731
            "confidence_threshold": number(threshold.value),
            "max_conversation_history": number(history.value),
            "approval_mode_default": bool(approval.value),
            "human_reply_pauses_bot": bool(pause.value),
        }
        save_button(
            "save-replies", lambda: submit(actor, error, values, "Reply settings saved"), editable
        )
        lock(editable, threshold, history, approval, pause)
