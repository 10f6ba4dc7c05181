"""The Evaluation tab: reference questions with the source that should answer them, scored.

Running it asks every question through the bot's own retriever and reports hit-rate@5 (the
right source among the first five), MRR (1/rank, averaged) and each miss with what came
instead — the number to watch when documents or chunking change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from app.domain import Actor
from app.domain import knowledge as m
from app.schemas import knowledge as ks
from ui.components import ErrorLabel
from ui.pages.knowledge._common import body
from ui.pages.knowledge.sources import source_names
from ui.state import container

K = 5


async def render(actor: Actor, kb: m.KnowledgeBase, write: bool) -> Callable[[], Awaitable[None]]:
    refs = container().services.reference_questions
    names: dict[str, str] = {}

    async def load_names() -> None:
        names.clear()
        names.update(await source_names(actor, kb.id))
        if write:
            source.set_options(dict(names), value=source.value if source.value in names else None)

    async def refresh() -> None:
        await load_names()
        listing.refresh()

    @ui.refreshable
    async def listing() -> None:
        items = await refs.list(actor, kb.id)
        run.set_enabled(bool(items))
        if not items:
            ui.label("No reference questions yet.").classes("text-grey-7").mark("no-refs")
        for ref in items:
            row = (
                ui.row()
                .classes("w-full items-center no-wrap gap-2 py-1 border-b border-gray-200")
                .mark("ref")
            )
            with row, ui.column().classes("gap-0 grow min-w-0"):
                ui.label(ref.question).classes("font-medium break-words")
                expected = names.get(ref.expected_source, "a deleted source")
                ui.label(f"expects {expected}").classes("text-grey-7 text-sm break-words")
            if write:
                with row:
                    ui.button(icon="delete", on_click=lambda r=ref: remove(r)).props(
                        "flat round dense color=negative aria-label=Delete"
                    ).mark("ref-delete", f"ref-delete-{ref.id}")

    async def add() -> None:
        async def call() -> m.ReferenceQuestion:
            fields = {"question": (question.value or "").strip(), "expected_source": source.value}
            return await refs.add(actor, kb.id, body(ks.ReferenceBody, **fields))

        if await error.run(call) is not None:
            question.value = ""
            listing.refresh()

    async def remove(ref: m.ReferenceQuestion) -> None:
        if await error.run(lambda: _removed(actor, kb.id, ref.id)):
            listing.refresh()

    async def evaluate() -> None:
        async def call() -> m.EvalResult:
            items = await refs.list(actor, kb.id)
            cases = [{"question": r.question, "expected_source": r.expected_source} for r in items]
            request = ks.EvalBody(cases=[body(ks.EvalCaseBody, **c) for c in cases], k=K)
            return await container().services.retrieval_checks.evaluate(actor, kb.id, request)

        result = await error.run(call)
        if result is not None:
            _report(result, names, report)

    with ui.card().classes("w-full gap-3"):
        with ui.row().classes("w-full items-center justify-between gap-2"):
            ui.label("Reference questions").classes("text-lg font-semibold")
            run = ui.button("Run evaluation", icon="play_arrow", on_click=evaluate)
            run.props("unelevated").mark("run-eval")
        ui.label(
            "Write questions customers ask and pick the document or FAQ that should answer "
            f"each; the run shows how often that source comes in the top {K}."
        ).classes("text-grey-7 text-sm")
        if write:
            with ui.row().classes("w-full items-start gap-2"):
                question = ui.input("Question").props("outlined dense").classes("grow basis-60")
                question.mark("ref-question")
                source = ui.select({}, label="Expected source").props("outlined dense")
                source.classes("grow basis-48").mark("ref-source")
                ui.button("Add", icon="add", on_click=add).props("unelevated").mark("ref-add")
        error = ErrorLabel("eval-error")
        await load_names()
        with ui.column().classes("w-full gap-0").mark("refs"):
            await listing()
    report = ui.column().classes("w-full gap-3").mark("eval-report")
    return refresh


async def _removed(actor: Actor, kb_id: str, ref_id: str) -> bool:
    await container().services.reference_questions.delete(actor, kb_id, ref_id)
    return True


def _report(result: m.EvalResult, names: dict[str, str], report: ui.column) -> None:
    report.clear()
    with report:
        with ui.row().classes("w-full gap-4"):
            _figure(f"hit-rate@{result.k}", f"{result.hit_rate:.0%}", "eval-hit-rate")
            _figure("MRR", f"{result.mrr:.2f}", "eval-mrr")
            _figure("questions", str(result.total), "eval-total")
        if not result.misses:
            ui.label("Every expected source was found in the top five.").mark("eval-no-misses")
        for miss in result.misses:
            with ui.card().classes("w-full gap-1").mark("eval-miss"):
                ui.label(miss.question).classes("font-medium break-words")
                where = f"ranked {miss.rank}" if miss.rank else "not found"
                expected = names.get(miss.expected_source, "a deleted source")
                ui.label(f"expected {expected} — {where}").classes("text-negative text-sm")
                got = ", ".join(names.get(g, g) for g in miss.got) or "nothing"
                ui.label(f"got: {got}").classes("text-grey-7 text-sm break-words")


def _figure(label: str, value: str, marker: str) -> None:
    with ui.card().classes("gap-0 min-w-28 items-center"):
        ui.label(value).classes("text-2xl font-semibold text-primary").mark(marker)
        ui.label(label).classes("text-grey-7 text-sm")
