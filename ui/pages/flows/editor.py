"""`/dashboard/flows/{id}`: the builder — toolbar, canvas, side panel.

The canvas reports every settled change; the page keeps the document, checks it through
`FlowService.validate` a moment later (the same rules activation applies) and draws the
problems on the nodes. Save is `FlowService.replace` (a new version — runs under way keep
theirs); the switch activates (422 problems land on the nodes) or deactivates; "Try in
simulator" opens the simulator with this flow ready to start.
"""

from __future__ import annotations

import copy
from typing import Any

import msgspec
from nicegui import ui

from app.domain import Actor, DomainError, Resource
from app.domain import flows as f
from app.schemas.flows import FlowBody
from ui.pages.flows.canvas import Doc, FlowCanvas
from ui.pages.flows.panel import TRIGGERS, Choices, NodePanel
from ui.state import container

VALIDATE_EVERY_S = 0.6
# the browser's own "Leave site? Changes you made may not be saved." while edits are unsaved
LEAVE_GUARD = "(event) => { event.preventDefault(); event.returnValue = ''; }"


def trigger_text(kind: str, config: dict[str, Any], labels: dict[str, str]) -> str:
    """What starts the flow, in a few words (the trigger node and the simulator say it)."""
    match kind:
        case "KEYWORD":
            words = ", ".join(f'"{k}"' for k in config.get("keywords") or []) or "(no keyword yet)"
            return f"keyword {words} ({config.get('match', 'exact')})"
        case "LABEL_ADDED":
            return f"label {labels.get(config.get('labelId') or '', '(choose one)')} added"
        case "INBOUND_MEDIA":
            kinds = ", ".join(t.lower() for t in config.get("mediaTypes") or []) or "any"
            return f"media arrives ({kinds})"
        case "SCHEDULED":
            return f"schedule {config.get('cron') or '(no cron yet)'}"
        case "API":
            return "the API starts it"
        case _:
            text = TRIGGERS.get(kind, kind)
            return text[:1].lower() + text[1:]  # "Starts on a new contact's first message"


async def load_choices(actor: Actor) -> Choices:
    services = container().services
    choices = Choices()
    choices.labels = {label.id: label.name for label in await services.labels.list(actor)}
    if actor.may(Resource.KNOWLEDGE):
        choices.kbs = {kb.id: kb.name for kb in await services.knowledge.list(actor)}
    try:
        members = await services.workspaces.members(actor, actor.workspace_id or "")
        choices.users = {m.user_id: m.name or m.email for m in members}
    except DomainError:
        choices.users = {}  # a role that may not list members assigns to "any human"
    return choices


class Editor:
    def __init__(self, actor: Actor, flow: f.Flow, choices: Choices) -> None:
        self.actor = actor
        self.flow = flow
        self.choices = choices
        self.writable = actor.may(Resource.FLOWS, write=True)
        self.name = flow.name
        self.trigger_type = str(flow.trigger_type)
        self.trigger_config: dict[str, Any] = copy.deepcopy(flow.trigger_config)
        self.selected: str | None = None
        self.dirty = False
        self.check_due = True
        self.problems: list[f.Problem] = []
        self.canvas: FlowCanvas  # drawn by draw(), which every handler follows

    # --- drawing ------------------------------------------------------------------------
    def draw(self) -> None:
        with ui.row().classes("w-full items-center gap-2"):
            ui.link("← Flows", "/dashboard/flows").classes("text-sm")
            self.name_box = ui.input("Name", value=self.name).props("outlined dense")
            self.name_box.classes("w-64").mark("flow-name")
            self.name_box.on_value_change(self._renamed)
            if not self.writable:
                self.name_box.disable()
            ui.space()
            if self.writable:
                ui.button(icon="undo", on_click=lambda: self.canvas.undo()).props(
                    "flat round aria-label=Undo"
                ).tooltip("Undo (Ctrl+Z)").mark("undo")
                ui.button(icon="redo", on_click=lambda: self.canvas.redo()).props(
                    "flat round aria-label=Redo"
                ).tooltip("Redo (Ctrl+Y)").mark("redo")
            ui.button(icon="fit_screen", on_click=lambda: self.canvas.fit()).props(
                'flat round aria-label="Fit the flow in view"'
            ).tooltip("Fit the flow in view")
            self.status = ui.label().classes("text-sm text-grey-7").mark("save-status")
            if self.writable:
                self.save_button = ui.button("Save", icon="save", on_click=self.save).mark("save")
                self.active = ui.switch("Active", value=self.flow.is_active).mark("active")
                self.active.on_value_change(self._toggled)
            ui.button("Try in simulator", icon="phone_iphone", on_click=self.try_it).props(
                "outline"
            ).mark("try-in-simulator")
        self.flow_problems = ui.column().classes("w-full gap-0").mark("flow-problems")
        with ui.row().classes(
            "w-full no-wrap gap-0 border rounded bg-white h-[calc(100vh-220px)] min-h-[480px]"
        ):
            doc: Doc = {
                "nodes": msgspec.to_builtins(self.flow.nodes),
                "edges": msgspec.to_builtins(self.flow.edges),
            }
            self.canvas = FlowCanvas(
                doc,
                self._names(),
                readonly=not self.writable,
                on_change=self._changed,
                on_select=self._selected,
            ).classes("grow h-full")
            self.canvas.mark("flow-canvas")
            self.panel = NodePanel(
                self.choices,
                self._data_edited,
                self._trigger_edited,
                self.canvas.remove_node,
                readonly=not self.writable,
            )
        self._show_status()
        ui.timer(VALIDATE_EVERY_S, self._check)
        ui.timer(0.1, self._show_stats, once=True)

    def _names(self) -> dict[str, Any]:
        return {
            "labels": self.choices.labels,
            "kbs": self.choices.kbs,
            "users": self.choices.users,
            "trigger": trigger_text(self.trigger_type, self.trigger_config, self.choices.labels),
        }

    def _show_status(self) -> None:
        count = len(self.problems)
        parts = ["Unsaved changes" if self.dirty else f"Saved · version {self.flow.version}"]
        if count:
            parts.append(f"{count} problem{'s' if count != 1 else ''}")
        self.status.text = " · ".join(parts)
        self.status.classes(replace="text-sm " + ("text-negative" if count else "text-grey-7"))

    def _show_problems(self, problems: list[f.Problem]) -> None:
        self.problems = problems
        edges = {e["id"]: e["source"] for e in self.canvas.doc["edges"]}
        on_nodes: dict[str, list[str]] = {}
        general: list[str] = []
        for p in problems:
            node = p.node_id or edges.get(p.edge_id or "")
            if node:
                on_nodes.setdefault(node, []).append(p.message)
            else:
                general.append(p.message)
        self.canvas.show_problems(on_nodes)
        self.flow_problems.clear()
        with self.flow_problems:
            for message in general:
                ui.label(f"⚠ {message}").classes("text-negative text-sm")
        self._show_status()

    async def _show_stats(self) -> None:
        stats = await container().services.flows.stats(self.actor, self.flow.id)
        self.canvas.show_stats(
            {n.node_id: f"{n.visits} · {n.waiting}" for n in stats.nodes if n.visits or n.waiting}
        )

    # --- edits --------------------------------------------------------------------------
    def _touched(self) -> None:
        if not self.dirty and self.writable:
            ui.run_javascript(f"window.onbeforeunload = {LEAVE_GUARD}")  # unsaved: ask first
        self.dirty = True
        self.check_due = True
        self._show_status()

    def _saved(self) -> None:
        self.dirty = False
        ui.run_javascript("window.onbeforeunload = null")
        self._show_status()

    def _changed(self, doc: Doc, origin: str) -> None:
        self._touched()
        if self.selected is not None and self.canvas.node(self.selected) is None:
            self._selected(None)
        elif self.selected is not None and origin in ("undo", "redo"):
            # the panel shows the data as it is now; its own edits are not redrawn (the echo
            # of a keystroke would move the cursor while typing)
            self._selected(self.selected)

    def _selected(self, node_id: str | None) -> None:
        self.selected = node_id
        node = self.canvas.node(node_id)
        variables = sorted(
            {
                str(n["data"]["variableName"]).strip()
                for n in self.canvas.doc["nodes"]
                if isinstance(n.get("data"), dict) and n["data"].get("variableName")
            }
            | {"choice"}
        )
        self.panel.show(node, (self.trigger_type, self.trigger_config), variables)

    def _data_edited(self, node_id: str, data: dict[str, Any]) -> None:
        self.canvas.set_node_data(node_id, data)
        self._touched()

    def _trigger_edited(self, kind: str, config: dict[str, Any]) -> None:
        self.trigger_type, self.trigger_config = kind, config
        self.canvas.set_names(self._names())
        self._touched()

    def _renamed(self) -> None:
        self.name = (self.name_box.value or "").strip()
        self._touched()

    def body(self) -> FlowBody:
        return msgspec.convert(
            {
                "name": self.name or self.flow.name,
                "description": self.flow.description,
                "triggerType": self.trigger_type,
                "triggerConfig": self.trigger_config,
                "nodes": self.canvas.doc["nodes"],
                "edges": self.canvas.doc["edges"],
            },
            FlowBody,
        )

    async def _check(self) -> None:
        if not self.check_due:
            return
        self.check_due = False
        try:
            result = await container().services.flows.validate(self.actor, self.body())
        except msgspec.ValidationError as exc:
            self._show_problems([f.Problem(code="invalid_document", message=str(exc))])
            return
        self._show_problems(result.problems)

    # --- save, activate, try ------------------------------------------------------------
    async def save(self) -> bool:
        try:
            self.flow = await container().services.flows.replace(
                self.actor, self.flow.id, self.body()
            )
        except msgspec.ValidationError as exc:
            ui.notify(f"Not saved: {exc}", type="negative")
            return False
        except DomainError as exc:
            self._refused(exc, "Not saved")
            return False
        self._saved()
        ui.notify(f"Saved (version {self.flow.version})", type="positive")
        return True

    def _refused(self, exc: DomainError, what: str) -> None:
        found = exc.extra.get("problems")
        if isinstance(found, list):
            self._show_problems(msgspec.convert(found, list[f.Problem]))
        ui.notify(f"{what}: {exc.detail}", type="negative", multi_line=True)

    async def _toggled(self) -> None:
        wanted = bool(self.active.value)
        if wanted == self.flow.is_active:
            return
        services = container().services
        try:
            if wanted:
                if self.dirty and not await self.save():
                    self.active.value = False
                    return
                self.flow = await services.flows.activate(self.actor, self.flow.id)
                ui.notify("Active: the flow now starts runs", type="positive")
            else:
                self.flow = await services.flows.deactivate(self.actor, self.flow.id)
                ui.notify("Inactive: no new runs start; runs under way finish")
        except DomainError as exc:
            self._refused(exc, "Not activated" if wanted else "Not deactivated")
            self.active.value = self.flow.is_active
        self._show_status()

    async def try_it(self) -> None:
        if not self.flow.is_active:
            ui.notify(
                "Activate the flow first: the simulator runs active flows, as WhatsApp does.",
                type="warning",
            )
            return
        if self.dirty and self.writable and not await self.save():
            return
        ui.navigate.to(f"/dashboard/simulator?flow={self.flow.id}")
