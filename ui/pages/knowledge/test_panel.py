"""The Test tab (seed §7 KBTestPanel): ask what a customer would, see what the bot would find.

Shows the answer the service picks (the best passage's best sentence, or an FAQ's answer) and
every source with its score and the matching span highlighted. Reading only: viewers may test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from app.domain import Actor
from app.domain import knowledge as m
from app.schemas import knowledge as ks
from ui.components import ErrorLabel, busy
from ui.pages.knowledge._common import body
from ui.pages.knowledge.sources import highlighted, label_of, source_names
from ui.state import container

CONTEXT = 240  # characters shown either side of the matching sentence


async def render(actor: Actor, kb: m.KnowledgeBase) -> Callable[[], Awaitable[None]]:
    names: dict[str, str] = await source_names(actor, kb.id)

    async def refresh() -> None:
        names.update(await source_names(actor, kb.id))

    async def ask() -> None:
        async def call() -> m.TestResult:
            query = body(ks.TestBody, query=(question.value or "").strip()).query
            return await container().services.retrieval_checks.test(actor, kb.id, query)

        with busy(button):  # the first question loads the embedding model: seconds
            result = await error.run(call)
        if result is not None:
            await refresh()
            _show(result, names, output)

    with ui.card().classes("w-full gap-3"):
        ui.label("Ask the knowledge base").classes("text-lg font-semibold")
        with ui.row().classes("w-full items-start gap-2"):
            question = ui.input("A customer's question", placeholder="When do you open?")
            question.props("outlined dense clearable").classes("grow basis-56")
            question.mark("test-query")
            question.on("keydown.enter", ask)
            button = ui.button("Ask", icon="search", on_click=ask).props("unelevated")
            button.mark("test-ask")
        error = ErrorLabel("test-error")
    output = ui.column().classes("w-full gap-3").mark("test-result")
    return refresh


def _show(result: m.TestResult, names: dict[str, str], output: ui.column) -> None:
    output.clear()
    with output:
        with ui.card().classes("w-full gap-1 bg-green-1"):
            ui.label("Answer").classes("text-sm text-grey-7")
            if result.answer:
                ui.label(result.answer).classes("text-lg whitespace-pre-wrap").mark("test-answer")
            else:
                ui.label("Nothing relevant found: the bot would not answer from this KB.").mark(
                    "test-no-answer"
                )
        if result.sources:
            ui.label(f"Sources ({len(result.sources)})").classes("font-semibold")
        for rank, source in enumerate(result.sources, 1):
            with ui.card().classes("w-full gap-2").mark("test-source"):
                with ui.row().classes("w-full items-center gap-2"):
                    ui.badge(str(rank)).props("rounded color=primary")
                    ui.label(label_of(source, names)).classes(
                        "font-medium grow min-w-0 break-words"
                    ).mark("source-name")
                    score = f"score {source.score:.3f}"
                    if source.similarity is not None:
                        score += f" · similarity {source.similarity:.3f}"
                    ui.label(score).classes("text-sm text-grey-7").mark("source-score")
                ui.html(highlighted(source.content, source.span, CONTEXT)).classes(
                    "text-sm whitespace-pre-wrap break-words text-grey-9"
                ).mark("source-content")
                if len(source.content) > len(source.span.get("text") or "") + 2 * CONTEXT:
                    with ui.expansion("Whole passage").classes("w-full text-sm"):
                        ui.html(highlighted(source.content, source.span)).classes(
                            "whitespace-pre-wrap break-words text-grey-8"
                        )
