"""The `condition` node's tests (seed §11): contains / equals / startsWith / regex / isEmpty over
`message.text`, `contact.*`, `contact.label`, `vars.*` — plus business hours open / closed.

Text comparisons fold case and accents ("Sí" equals "si"); `regex` is case-insensitive and
time-limited (`safe_regex`). `contact.label` is the contact's label names: the test holds when
it holds for one of them (`isEmpty`: the contact has no label).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.flows import safe_regex
from app.flows.template import MISSING, Scope, as_text, known, lookup
from app.flows.text import fold

TEXT_OPERATORS = ("contains", "equals", "startsWith", "regex", "isEmpty")
HOURS_FIELD = "businessHours"
HOURS_OPERATORS = ("open", "closed")
LABEL_FIELD = "contact.label"


def field_known(field: str) -> bool:
    return field in (HOURS_FIELD, LABEL_FIELD) or known(field)


def problem(condition: dict[str, Any]) -> str | None:
    """Why a condition entry can't be evaluated (None when it can)."""
    field = condition.get("field")
    operator = condition.get("operator")
    if not isinstance(field, str) or not field_known(field):
        return f"unknown field {field!r}"
    if field == HOURS_FIELD:
        return None if operator in HOURS_OPERATORS else "business hours are 'open' or 'closed'"
    if operator not in TEXT_OPERATORS:
        return f"unknown operator {operator!r} (use {', '.join(TEXT_OPERATORS)})"
    value = condition.get("value")
    if operator != "isEmpty" and not isinstance(value, str):
        return f"the {operator} test needs a text value"
    if operator == "regex":
        return safe_regex.check(value or "")
    return None


def _test(operator: str, value: str, text: str) -> bool:
    match operator:
        case "isEmpty":
            return not text.strip()
        case "regex":
            return safe_regex.search(value, text)
        case "equals":
            return fold(text) == fold(value)
        case "contains":
            return fold(value) in fold(text)
        case "startsWith":
            return fold(text).startswith(fold(value))
    return False


def holds(condition: dict[str, Any], scope: Scope, is_open: Callable[[], bool]) -> bool:
    """Whether one condition entry holds; `is_open` tells the business hours now."""
    field, operator = condition.get("field", ""), condition.get("operator", "")
    value = condition.get("value") or ""
    if field == HOURS_FIELD:
        return is_open() if operator == "open" else not is_open()
    if field == LABEL_FIELD:
        if operator == "isEmpty":
            return not scope.labels
        return any(_test(operator, value, label) for label in scope.labels)
    found = lookup(field, scope)
    return _test(operator, value, "" if found is MISSING else as_text(found))
