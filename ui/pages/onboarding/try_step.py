"""Step 5: ask a question and see what the bot would answer from its knowledge base."""

from __future__ import annotations

from nicegui import ui

from app.domain import Invalid
from app.domain import knowledge as kb
from app.schemas import knowledge as ks
from ui.components import ErrorLabel
from ui.pages.onboarding._common import Wizard, checked, nav
from ui.state import container


def build(wizard: Wizard) -> ui.input:
    """Returns the question box, so step 4 can prefill it with the FAQ just added."""
    ui.label("Ask what a customer would ask. The answer comes from your knowledge base.").classes(
        "text-grey-7"
    )
    with ui.row().classes("w-full items-start gap-2 no-wrap"):
        question = ui.input("Question").props("outlined").classes("grow").mark("try-question")
        ask_button = ui.button(icon="send").props("unelevated round").mark("try-ask")
    error = ErrorLabel("try-error")
    with ui.card().classes("w-full max-w-xl bg-green-1").props("flat bordered") as bubble:
        ui.label("The bot would answer").classes("text-xs text-grey-7")
        answer = ui.label().classes("whitespace-pre-line").mark("try-answer")
        source = ui.label().classes("text-xs text-grey-7").mark("try-source")
    bubble.set_visibility(False)

    async def ask() -> None:
        async def call() -> kb.TestResult:
            query = (question.value or "").strip()
            if not query:
                raise Invalid("Type a question first.")
            body = checked(ks.TestBody, query=query)
            kb_id = wizard.kb_id or await container().services.knowledge.default_kb_id(
                wizard.actor.workspace_id or ""
            )
            return await container().services.retrieval_checks.test(
                wizard.actor, kb_id, body.query, 3
            )

        result = await error.run(call)
        if result is None:
            return
        bubble.set_visibility(True)
        if result.answer:
            answer.text = result.answer
            best = result.sources[0]
            source.text = f"From {'an FAQ' if best.faq_id else 'a document'} · score {best.score}"
        else:
            answer.text = (
                "Nothing in the knowledge base matches yet. The bot would hand this to a person."
            )
            source.text = "Documents take a moment to index; try again shortly."

    ask_button.on_click(ask)
    question.on("keydown.enter", ask)
    with nav(wizard):
        ui.button("Go to the dashboard", on_click=lambda: ui.navigate.to("/dashboard")).props(
            "unelevated"
        ).mark("finish")
    return question
