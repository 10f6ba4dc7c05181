"""The builder's side panel: the form of the selected node, per node type (seed §11 config).

Each edit goes straight to the canvas (`on_data(node_id, data)`), which makes it an undo step
and redraws the node; the flow's trigger (type and config, stored on the flow rather than on
the trigger node) is edited when the trigger node is selected (`on_trigger`). Fields hold what
the engine reads (README "Flows"); the validation problems on the canvas say what is missing.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nicegui import ui

from app.domain import FlowTrigger, MediaType

TRIGGERS = {
    FlowTrigger.KEYWORD.value: "A keyword",
    FlowTrigger.FIRST_MESSAGE.value: "A new contact's first message",
    FlowTrigger.LABEL_ADDED.value: "A label is added",
    FlowTrigger.INBOUND_MEDIA.value: "A photo, voice note or file arrives",
    FlowTrigger.SCHEDULED.value: "A schedule (cron)",
    FlowTrigger.API.value: "The API (POST /flows/{id}/trigger)",
}
MATCHES = {"exact": "the whole message", "contains": "a word in the message", "regex": "regex"}
VALIDATIONS = {
    "text": "any text",
    "number": "a number",
    "email": "an email address",
    "phone": "a phone number",
    "option": "one of the options",
}
UNITS = {"minutes": "minutes", "hours": "hours", "days": "days"}
OPERATORS = {
    "contains": "contains",
    "equals": "equals",
    "startsWith": "starts with",
    "regex": "matches regex",
    "isEmpty": "is empty",
}
HOURS = {"open": "open", "closed": "closed"}
FIELDS = [
    "message.text",
    "contact.name",
    "contact.phone",
    "contact.label",
    "contact.language",
    "businessHours",
]
ANY_HUMAN = "__any__"


@dataclass
class Choices:
    """What the selects offer: the workspace's labels, knowledge bases and members."""

    labels: dict[str, str] = field(default_factory=dict)
    kbs: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)


def _lines(value: Any) -> str:
    return "\n".join(str(v) for v in value) if isinstance(value, list) else ""


def _split(text: str | None, sep: str = "\n") -> list[str]:
    return [part.strip() for part in (text or "").split(sep) if part.strip()]


def _number(value: Any) -> float | int | None:
    if value in (None, ""):
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


class NodePanel(ui.column):
    def __init__(
        self,
        choices: Choices,
        on_data: Callable[[str, dict[str, Any]], None],
        on_trigger: Callable[[str, dict[str, Any]], None],
        on_remove: Callable[[str], None],
        *,
        readonly: bool = False,
    ) -> None:
        super().__init__()
        self.classes(
            "w-80 flex-none self-stretch gap-2 p-3 border-l bg-white overflow-y-auto"
        ).mark("node-panel")
        self.choices = choices
        self._on_data = on_data
        self._on_trigger = on_trigger
        self._on_remove = on_remove
        self.readonly = readonly
        self.node_id: str | None = None
        self.data: dict[str, Any] = {}
        self.show(None)

    # --- drawing ------------------------------------------------------------------------
    def show(
        self,
        node: dict[str, Any] | None,
        trigger: tuple[str, dict[str, Any]] | None = None,
        variables: list[str] | None = None,
    ) -> None:
        """Draw the form of `node` (None: a hint). `trigger` is the flow's (type, config),
        used by the trigger node; `variables` the names earlier steps save (for conditions)."""
        self.clear()
        self.node_id = node["id"] if node else None
        self.data = copy.deepcopy(node.get("data") or {}) if node else {}
        with self:
            if node is None:
                ui.label("Select a step to edit it.").classes("text-grey-7")
                ui.label(
                    "Drag steps from the palette, connect a step's branch (right) to the next "
                    "step (left). Delete removes the selection; Ctrl+Z undoes."
                ).classes("text-grey-6 text-xs")
                return
            kind = node["type"]
            with ui.row().classes("items-center w-full no-wrap"):
                ui.label(f"{kind.capitalize()} · {node['id']}").classes("font-semibold grow")
                if kind != "trigger" and not self.readonly:
                    ui.button(icon="delete", on_click=lambda: self._on_remove(node["id"])).props(
                        "flat round dense color=negative aria-label=Delete"
                    ).tooltip("Delete this step").mark("delete-node")
            form = getattr(self, f"_form_{kind}", None)
            if kind == "trigger" and trigger is not None:
                self._form_trigger(*trigger)
            elif form is not None:
                form(variables or [])
            if self.readonly:
                for element in self.descendants():
                    if isinstance(element, ui.input | ui.textarea | ui.select | ui.number):
                        element.disable()

    def _f_changed(self, key: str, value: Any) -> None:
        if value in (None, "", []):
            self.data.pop(key, None)
        else:
            self.data[key] = value
        if self.node_id is not None:
            self._on_data(self.node_id, copy.deepcopy(self.data))

    def _f_text(self, key: str, label: str, *, multiline: bool = False, hint: str = "") -> None:
        make = ui.textarea if multiline else ui.input
        box = make(label, value=str(self.data.get(key) or "")).props("outlined dense")
        box.classes("w-full").mark(f"field-{key}")
        if hint:
            box.props(f'hint="{hint}"')
        box.on_value_change(lambda e: self._f_changed(key, e.value or None))

    def _f_int(self, key: str, label: str, *, default: Any = None) -> None:
        box = ui.number(label, value=self.data.get(key, default), min=0).props("outlined dense")
        box.classes("w-full").mark(f"field-{key}")
        box.on_value_change(lambda e: self._f_changed(key, _number(e.value)))

    def _f_select(self, key: str, label: str, options: dict[str, str], default: str | None) -> None:
        value = self.data.get(key, default)
        if value not in options:
            value = None
        box = ui.select(options, label=label, value=value).props("outlined dense")
        box.classes("w-full").mark(f"field-{key}")
        box.on_value_change(lambda e: self._f_changed(key, e.value))

    def _f_options(self) -> None:
        box = ui.textarea("Options (one per line)", value=_lines(self.data.get("buttons")))
        box.props("outlined dense autogrow").classes("w-full").mark("field-buttons")
        box.on_value_change(lambda e: self._f_changed("buttons", _split(e.value)))

    # --- one form per node type ----------------------------------------------------------
    def _form_message(self, variables: list[str]) -> None:
        self._f_text("text", "Text", multiline=True, hint="{{contact.name}}, {{vars.x}} …")
        self._f_text("mediaUrl", "Media URL (optional)")
        self._f_text("caption", "Caption (with media)")
        self._f_options()
        ui.label(
            "With options the customer picks one by number or text; the pick is saved."
        ).classes("text-grey-6 text-xs")
        self._f_text("variableName", "Save the pick as vars.", hint="default: choice")
        self._f_int("timeout", "Wait for the pick (minutes)")

    def _form_question(self, variables: list[str]) -> None:
        self._f_text("text", "Question", multiline=True)
        self._f_text("variableName", "Save the answer as vars.")
        self._f_select("validation", "The answer must be", VALIDATIONS, "text")
        self._f_options()
        self._f_text("retryText", "Asked again when the answer is not valid", multiline=True)
        self._f_int("maxRetries", "Asks again at most", default=None)
        self._f_int("timeout", "No reply after (minutes) → timeout branch")

    def _form_ai(self, variables: list[str]) -> None:
        self._f_text("systemPromptOverride", "Prompt for this step (optional)", multiline=True)
        self._f_select(
            "knowledgeBaseId", "Knowledge base", {"": "the bot's default", **self.choices.kbs}, ""
        )
        self._f_int("maxTokens", "Longest answer (tokens)")

    def _form_delay(self, variables: list[str]) -> None:
        self._f_int("amount", "Wait", default=1)
        self._f_select("unit", "Unit", UNITS, "hours")

    def _form_tag(self, variables: list[str]) -> None:
        self._f_select("action", "Action", {"add": "add the label", "remove": "remove it"}, "add")
        self._f_select("labelId", "Label", self.choices.labels, None)
        if not self.choices.labels:
            ui.label("Create labels on the Contacts page first.").classes("text-grey-6 text-xs")

    def _form_webhook(self, variables: list[str]) -> None:
        self._f_text("url", "URL", hint="https://… ({{vars.x}} works here)")
        self._f_select("method", "Method", {m: m for m in ("GET", "POST", "PUT")}, "POST")
        headers = self.data.get("headers") if isinstance(self.data.get("headers"), dict) else {}
        box = (
            ui.textarea(
                "Headers (Name: value, one per line)",
                value="\n".join(f"{k}: {v}" for k, v in (headers or {}).items()),
            )
            .props("outlined dense autogrow")
            .classes("w-full")
            .mark("field-headers")
        )

        def headers_changed(text: str | None) -> None:
            pairs = [line.split(":", 1) for line in _split(text) if ":" in line]
            self._f_changed("headers", {k.strip(): v.strip() for k, v in pairs if k.strip()})

        box.on_value_change(lambda e: headers_changed(e.value))
        body = self.data.get("body")
        body_text = body if isinstance(body, str) or body is None else json.dumps(body, indent=2)
        self.data["body"] = body_text
        self._f_text("body", "Body (JSON or text)", multiline=True)
        self._f_text("saveResponseTo", "Save the answer as vars.")
        self._f_int("timeout", "Timeout (seconds)", default=None)

    def _form_assign(self, variables: list[str]) -> None:
        options = {ANY_HUMAN: "any human", **self.choices.users}
        box = ui.select(options, label="Hand to", value=self.data.get("userId") or ANY_HUMAN)
        box.props("outlined dense").classes("w-full").mark("field-userId")
        box.on_value_change(
            lambda e: self._f_changed("userId", None if e.value == ANY_HUMAN else e.value)
        )
        ui.label("The bot stops answering; the conversation waits for a human.").classes(
            "text-grey-6 text-xs"
        )

    def _form_end(self, variables: list[str]) -> None:
        ui.label("The run completes here.").classes("text-grey-7")

    def _form_condition(self, variables: list[str]) -> None:
        ui.label("The first test that holds takes its branch; otherwise the last one.").classes(
            "text-grey-6 text-xs"
        )
        entries = self.data.get("conditions")
        entries = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
        self.data["conditions"] = entries
        fields = FIELDS + [f"vars.{v}" for v in variables]
        rows = ui.column().classes("w-full gap-2")

        def push() -> None:
            self._f_changed("conditions", copy.deepcopy(entries))

        def draw() -> None:
            rows.clear()
            with rows:
                for index, entry in enumerate(entries):
                    with ui.card().classes("w-full p-2 gap-1").mark(f"condition-{index}"):
                        self._condition_entry(entry, fields, push, draw, entries)
                if not self.readonly:
                    ui.button("Add a test", icon="add", on_click=add).props("flat dense")

        def add() -> None:
            taken = {str(e.get("id")) for e in entries}
            n = next(i for i in range(1, 999) if f"c{i}" not in taken)
            entries.append(
                {"id": f"c{n}", "field": "message.text", "operator": "contains", "value": ""}
            )
            push()
            draw()

        draw()

    def _condition_entry(
        self,
        entry: dict[str, Any],
        fields: list[str],
        push: Callable[[], None],
        redraw: Callable[[], None],
        entries: list[dict[str, Any]],
    ) -> None:
        current = str(entry.get("field") or "message.text")
        field_box = (
            ui.select(
                fields if current in fields else [*fields, current],
                label="Field",
                value=current,
                with_input=True,
                new_value_mode="add-unique",
            )
            .props("outlined dense")
            .classes("w-full")
        )
        hours = current == "businessHours"
        ops = HOURS if hours else OPERATORS
        op = entry.get("operator") if entry.get("operator") in ops else next(iter(ops))
        entry["operator"] = op
        with ui.row().classes("w-full no-wrap items-center gap-1"):
            op_box = ui.select(ops, value=op).props("outlined dense").classes("grow")
            if not self.readonly:

                def remove() -> None:
                    entries.remove(entry)
                    push()
                    redraw()

                ui.button(icon="close", on_click=remove).props("flat round dense").tooltip(
                    "Remove this test"
                )
        value_box = ui.input("Value", value=str(entry.get("value") or "")).props("outlined dense")
        value_box.classes("w-full")
        value_box.set_visibility(not hours and op != "isEmpty")

        def field_changed(value: str | None) -> None:
            entry["field"] = value or "message.text"
            was_hours = hours
            if (value == "businessHours") != was_hours:
                entry.pop("operator", None)
                push()
                redraw()
                return
            push()

        def op_changed(value: str | None) -> None:
            entry["operator"] = value
            value_box.set_visibility(not hours and value != "isEmpty")
            push()

        def value_changed(value: str | None) -> None:
            entry["value"] = value or ""
            push()

        field_box.on_value_change(lambda e: field_changed(e.value))
        op_box.on_value_change(lambda e: op_changed(e.value))
        value_box.on_value_change(lambda e: value_changed(e.value))

    # --- the trigger (the flow's, shown on its trigger node) -----------------------------
    def _form_trigger(self, kind: str, config: dict[str, Any]) -> None:
        config = copy.deepcopy(config)
        box = ui.select(TRIGGERS, label="Starts when", value=kind).props("outlined dense")
        box.classes("w-full").mark("field-triggerType")
        extra = ui.column().classes("w-full gap-2")

        def send(new_kind: str) -> None:
            self._on_trigger(new_kind, copy.deepcopy(config))

        def kind_changed(new_kind: str) -> None:
            config.clear()
            send(new_kind)
            draw(new_kind)

        def set_key(key: str, value: Any) -> None:
            if value in (None, "", []):
                config.pop(key, None)
            else:
                config[key] = value
            send(box.value)

        def draw(current: str) -> None:
            extra.clear()
            with extra:
                self._trigger_config(current, config, set_key)

        box.on_value_change(lambda e: kind_changed(e.value))
        draw(kind)

    def _trigger_config(
        self, kind: str, config: dict[str, Any], set_key: Callable[[str, Any], None]
    ) -> None:
        def field(label: str, key: str, value: str, parse: Callable[[str], Any]) -> None:
            box = ui.input(label, value=value).props("outlined dense").classes("w-full")
            box.mark(f"field-{key}")
            box.on_value_change(lambda e: set_key(key, parse(e.value or "")))

        def choose(label: str, key: str, options: dict[str, str], multiple: bool = False) -> None:
            value = config.get(key)
            box = ui.select(options, label=label, value=value, multiple=multiple, clearable=True)
            box.props("outlined dense use-chips" if multiple else "outlined dense")
            box.classes("w-full").mark(f"field-{key}")
            box.on_value_change(lambda e: set_key(key, e.value))

        keywords = ", ".join(str(k) for k in config.get("keywords") or [])
        match kind:
            case FlowTrigger.KEYWORD.value:
                field("Keywords (comma-separated)", "keywords", keywords, lambda t: _split(t, ","))
                match_box = ui.select(MATCHES, label="Match", value=config.get("match", "exact"))
                match_box.props("outlined dense").classes("w-full").mark("field-match")
                match_box.on_value_change(lambda e: set_key("match", e.value))
            case FlowTrigger.LABEL_ADDED.value:
                choose("Label", "labelId", self.choices.labels)
            case FlowTrigger.INBOUND_MEDIA.value:
                media = {m.value: m.value.lower().replace("_", " ") for m in MediaType}
                choose("Media types (none: any)", "mediaTypes", media, multiple=True)
            case FlowTrigger.SCHEDULED.value:
                field(
                    "Cron (min hour day month weekday)", "cron", str(config.get("cron") or ""), str
                )
                field(
                    "Time zone (default: business hours')",
                    "timezone",
                    str(config.get("timezone") or ""),
                    str,
                )
                choose("Only contacts with the label (none: all)", "labelId", self.choices.labels)
            case FlowTrigger.API.value:
                names = ", ".join(str(v) for v in config.get("variables") or [])
                field(
                    "Variables the API passes (comma-separated)",
                    "variables",
                    names,
                    lambda t: _split(t, ","),
                )
            case _:
                ui.label("Starts on the first message of a new contact.").classes("text-grey-7")
