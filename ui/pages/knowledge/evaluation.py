"""The Evaluation tab: reference questions — with the answer text or source that is right, or
marked "should not be answered" — and what the customer would get.

Running it asks every question the way a customer would, with the workspace's own model and
confidence threshold (nothing is sent), and reports precision (sent answers that are right),
coverage (answerable questions answered right) and the decline rate (questions that should not
be answered, handed to a person), next to retrieval's hit-rate@5 and MRR; each miss shows what
the bot would have said.
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
                ui.label(_expects(ref, names)).classes("text-grey-7 text-sm break-words")
            if write:
                with row:
                    ui.button(icon="delete", on_click=lambda r=ref: remove(r)).props(
                        "flat round dense color=negative aria-label=Delete"
                    ).mark("ref-delete", f"ref-delete-{ref.id}")

    async def add() -> None:
        async def call() -> m.ReferenceQuestion:
            fields = {
                "question": (question.value or "").strip(),
                "expected_source": None if refuse.value else source.value,
                "expected_answer": None if refuse.value else (answer.value or "").strip() or None,
                "should_not_answer": bool(refuse.value),
            }
            return await refs.add(actor, kb.id, body(ks.ReferenceBody, **fields))

        if await error.run(call) is not None:
            question.value = ""
            answer.value = ""
            listing.refresh()

    async def remove(ref: m.ReferenceQuestion) -> None:
        if await error.run(lambda: _removed(actor, kb.id, ref.id)):
            listing.refresh()

    async def evaluate() -> None:
        async def call() -> m.EvalResult:
            items = await refs.list(actor, kb.id)
            cases = [
                {
                    "question": r.question,
                    "expected_source": r.expected_source,
                    "expected_answer": r.expected_answer,
                    "should_not_answer": r.should_not_answer,
                }
                for r in items
            ]
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
            "Write questions customers ask, with the answer text a right reply contains (and/or "
            "the document or FAQ that should answer it) — or mark one the bot should hand to a "
            "person. The run asks each with your model and confidence threshold, sends nothing, "
            f"and shows what customers would get; hit-rate@{K} checks the expected sources."
        ).classes("text-grey-7 text-sm")
        if write:
            with ui.row().classes("w-full items-start gap-2"):
                question = ui.input("Question").props("outlined dense").classes("grow basis-60")
                question.mark("ref-question")
                answer = ui.input("Expected answer text").props("outlined dense")
                answer.classes("grow basis-48").mark("ref-answer")
                source = ui.select({}, label="Expected source").props("outlined dense clearable")
                source.classes("grow basis-48").mark("ref-source")
                refuse = ui.checkbox("Should not be answered").mark("ref-refuse")
                answer.bind_enabled_from(refuse, "value", backward=lambda v: not v)
                source.bind_enabled_from(refuse, "value", backward=lambda v: not v)
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


def _expects(ref: m.ReferenceQuestion, names: dict[str, str]) -> str:
    if ref.should_not_answer:
        return "should not be answered (hand to a person)"
    parts = []
    if ref.expected_answer:
        parts.append(f"“{ref.expected_answer}”")
    if ref.expected_source:
        parts.append(f"from {names.get(ref.expected_source, 'a deleted source')}")
    return "expects " + " ".join(parts)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


_MISS = {
    "retrieval": "expected source not in the top five",
    "wrong": "answered, but not with the expected answer",
    "declined": "handed to a person, though it is answerable",
    "answered": "answered a question that should not be answered",
}


def _report(result: m.EvalResult, names: dict[str, str], report: ui.column) -> None:
    report.clear()
    with report:
        with ui.row().classes("w-full gap-4"):
            _figure("precision", _pct(result.precision), "eval-precision")
            _figure("coverage", _pct(result.coverage), "eval-coverage")
            _figure("declined", _pct(result.decline_rate), "eval-decline")
            _figure(f"hit-rate@{result.k}", f"{result.hit_rate:.0%}", "eval-hit-rate")
            _figure("MRR", f"{result.mrr:.2f}", "eval-mrr")
            _figure("questions", str(result.total), "eval-total")
        if result.threshold is not None:
            ui.label(
                f"{result.answered} of {result.total} answers would be sent at your confidence "
                f"threshold {result.threshold:.2f}; the rest go to a person."
            ).classes("text-grey-7 text-sm").mark("eval-threshold")
        if not result.misses:
            ui.label("Every question got what it should.").mark("eval-no-misses")
        for miss in result.misses:
            with ui.card().classes("w-full gap-1").mark("eval-miss"):
                ui.label(miss.question).classes("font-medium break-words")
                what = _MISS.get(miss.kind, miss.kind)
                if miss.kind == "retrieval":
                    where = f"ranked {miss.rank}" if miss.rank else "not found"
                    expected = names.get(miss.expected_source or "", "a deleted source")
                    what = f"expected {expected} — {where}"
                ui.label(what).classes("text-negative text-sm")
                if miss.said is not None:
                    conf = "" if miss.confidence is None else f" (confidence {miss.confidence:.2f})"
                    ui.label(f"the bot would say{conf}: {miss.said}").classes(
                        "text-sm break-words whitespace-pre-wrap"
                    ).mark("eval-said")
                if miss.expected_answer:
                    ui.label(f"expected: {miss.expected_answer}").classes("text-grey-7 text-sm")
                if miss.kind == "retrieval":
                    got = ", ".join(names.get(g, g) for g in miss.got) or "nothing"
                    ui.label(f"got: {got}").classes("text-grey-7 text-sm break-words")


def _figure(label: str, value: str, marker: str) -> None:
    with ui.card().classes("gap-0 min-w-28 items-center"):
        ui.label(value).classes("text-2xl font-semibold text-primary").mark(marker)
        ui.label(label).classes("text-grey-7 text-sm")
