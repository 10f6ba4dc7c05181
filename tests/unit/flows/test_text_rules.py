"""The flow engine's text rules: folding, templates, options, validations, conditions, regex
limits and keyword triggers — pure functions, no database."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from app.domain import FlowTrigger, MediaType
from app.domain.workspace_settings import WorkspaceSettings
from app.flows import answers, conditions, safe_regex, triggers
from app.flows.engine import _is_open
from app.flows.template import Scope, header_escape, json_escape, render, url_escape
from app.flows.text import fold, word


def test_fold_and_word_ignore_case_accents_and_punctuation() -> None:
    assert fold("  Ça   VA ") == "ca va"
    assert word("¡Cancelár!") == "cancelar"
    assert word("« STOP »") == "stop"


def scope() -> Scope:
    return Scope(
        contact={"name": "Zoë", "phone": "+4917612345678"},
        fields={"plan": "gold"},
        labels=("VIP", "Kunde"),
        vars={"order": {"status": "shipped", "items": [{"sku": "A1"}]}, "quote": 'say "hi"\n'},
        workspace={"name": "Acme"},
        message={"text": "Where is my order?"},
    )


def test_templates_fill_every_root_and_report_missing_values() -> None:
    out = render(
        "Hi {{contact.name}} ({{ contact.phone }}), {{contact.fields.plan}} at {{workspace.name}}: "
        "{{vars.order.status}} {{vars.order.items.0.sku}} {{vars.nothing}}{{contact.fields.x}}",
        scope(),
    )
    assert out.text == "Hi Zoë (+4917612345678), gold at Acme: shipped A1 "
    assert out.missing == ("vars.nothing", "contact.fields.x")
    # the shared syntax: a fallback fills an empty variable and is not reported as missing
    out = render("Hi {{vars.nothing|there}} {{ vars.order.status | ? }}", scope())
    assert (out.text, out.missing) == ("Hi there shipped", ())


def test_templates_escape_for_json_urls_and_headers() -> None:
    body = render('{"q": "{{vars.quote}}", "o": {{vars.order}}}', scope(), json_escape).text
    assert body.startswith('{"q": "say \\"hi\\"\\n", "o": {\\"status')  # values, escaped
    assert render("https://x.test/o?id={{vars.quote}}", scope(), url_escape).text.endswith(
        "id=say%20%22hi%22%0A"
    )
    assert render("Bearer {{vars.quote}}", scope(), header_escape).text == 'Bearer say "hi" '


def test_numbered_options_and_picks_by_number_or_text() -> None:
    options = ["Opening hours", "Talk to a human", "Café"]
    assert answers.numbered("How can I help?", options).endswith("2. Talk to a human\n3. Café")
    assert answers.pick("2", options) == "Talk to a human"
    assert answers.pick(" 3. ", options) == "Café"
    assert answers.pick("2️⃣", options) == "Talk to a human"
    assert answers.pick("cafe!", options) == "Café"
    assert answers.pick("4", options) is None
    assert answers.pick("opening", options) is None


@pytest.mark.parametrize(
    ("validation", "reply", "ok", "value"),
    [
        ("number", "12,5", True, "12.5"),
        ("number", "twelve", False, ""),
        ("email", "Ana@Example.COM", True, "ana@example.com"),
        ("email", "ana@", False, ""),
        ("phone", "+49 (176) 123-4567", True, "+491761234567"),
        ("phone", "0176 1234567", True, "01761234567"),
        ("phone", "12", False, ""),
        ("text", "  ", False, ""),
        (None, "anything", True, "anything"),
    ],
)
def test_question_validations(validation: str | None, reply: str, ok: bool, value: str) -> None:
    answer = answers.check(validation, reply, [])
    assert answer.ok is ok
    if ok:
        assert answer.value == value


def test_conditions_over_every_field_and_business_hours() -> None:
    s = scope()

    def holds(field: str, operator: str, value: str = "", open_: bool = True) -> bool:
        entry = {"id": "c", "field": field, "operator": operator, "value": value}
        return conditions.holds(entry, s, lambda: open_)

    assert holds("message.text", "contains", "ORDER")
    assert holds("message.text", "startsWith", "where")
    assert holds("message.text", "regex", r"order\?$")
    assert holds("contact.name", "equals", "zoe")
    assert holds("contact.fields.plan", "equals", "Gold")
    assert holds("contact.label", "equals", "vip")
    assert not holds("contact.label", "isEmpty")
    assert holds("vars.order.status", "equals", "shipped")
    assert holds("vars.unset", "isEmpty")
    assert holds("businessHours", "open", open_=True)
    assert holds("businessHours", "closed", open_=False)
    assert not holds("businessHours", "closed", open_=True)
    assert conditions.problem({"field": "vars.x", "operator": "regex", "value": "(["})
    assert conditions.problem({"field": "contact.nope", "operator": "equals", "value": "x"})


def test_catastrophic_regex_is_cut_short() -> None:
    started = time.monotonic()
    assert safe_regex.search(r"(a|aa)+$", "a" * 200 + "b") is False
    assert time.monotonic() - started < 2.0
    assert safe_regex.check("([") is not None


def test_keyword_matching_modes() -> None:
    exact = {"keywords": ["Menu", "Speisekarte"], "match": "exact"}
    assert triggers.keyword_matches(exact, "menú!")
    assert not triggers.keyword_matches(exact, "the menu please")
    contains = {"keywords": ["hi", "price list"], "match": "contains"}
    assert triggers.keyword_matches(contains, "Hi there")
    assert triggers.keyword_matches(contains, "send me the PRICE-list? no: price list")
    assert not triggers.keyword_matches(contains, "this")
    pattern = {"keywords": [r"^order\s*#?\d+$"], "match": "regex"}
    assert triggers.keyword_matches(pattern, "Order #123")
    assert triggers.keyword_matches({"keywords": ["cafe"], "match": "regex"}, "Café")
    assert triggers.problems(FlowTrigger.KEYWORD, {"keywords": ["(["], "match": "regex"}, set())
    media = {"mediaTypes": ["IMAGE"]}
    assert triggers.media_matches(media, MediaType.IMAGE)
    assert not triggers.media_matches(media, MediaType.AUDIO)
    assert triggers.media_matches({}, MediaType.AUDIO)


def test_scheduled_slots_fire_once_and_skip_long_missed_ones() -> None:
    schedule = triggers.cron({"cron": "0 9 * * *", "timezone": "Europe/Berlin"}, None)
    activated = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    assert triggers.due_slot(schedule, activated, activated + timedelta(minutes=30)) == (
        None,
        None,
    )
    at_nine = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    slot, mark = triggers.due_slot(schedule, activated, at_nine + timedelta(seconds=5))
    assert slot == mark == at_nine
    assert triggers.due_slot(schedule, at_nine, at_nine + timedelta(minutes=1)) == (None, None)
    late = at_nine + timedelta(days=3, hours=5)  # down for days: nothing fires, the mark moves
    assert triggers.due_slot(schedule, at_nine, late) == (None, late)
    assert triggers.problems(FlowTrigger.SCHEDULED, {"cron": "61 * * *"}, set())
    assert triggers.problems(FlowTrigger.SCHEDULED, {"cron": "* * * * *", "timezone": "X/Y"}, set())


def test_business_hours_condition_reads_the_workspace_grid() -> None:
    monday_noon = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # 12:00 in Berlin
    grid = {"timezone": "Europe/Berlin", "days": {"mon": [["09:00", "17:00"]]}}
    hours = WorkspaceSettings(business_hours_enabled=True, business_hours_config=grid)
    assert _is_open(hours, monday_noon)
    assert not _is_open(hours, monday_noon + timedelta(hours=8))
    assert _is_open(WorkspaceSettings(), monday_noon + timedelta(hours=8))  # off: always open
