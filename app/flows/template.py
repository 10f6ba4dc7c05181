"""`{{contact.name}}`, `{{vars.order.status}}` …: the variables of every text, URL, header and
body a flow sends.

Names: `contact.name` (the name an agent gave, else the WhatsApp name), `contact.phone`,
`contact.jid`, `contact.language`, `contact.fields.<key>` (custom fields), `vars.<name>` (and
`vars.<name>.<key>…` into a saved JSON response), `workspace.name`, `message.text`.
A variable that has no value renders as "" (or its `{{name|fallback}}` text) and is reported
(`Rendered.missing`), so the run's history says what was empty instead of the customer seeing
"{{vars.x}}". The syntax and the filling are the shared ones (`app/domain/templating.fill`);
this module only knows a run's names and how to escape.

Escaping depends on where the value lands: JSON string content for a JSON webhook body
(`json_escape`), percent-encoding in a URL (`url_escape`), newlines removed in a header.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from app.domain.templating import TOKEN, Rendered, fill, names

__all__ = ["TOKEN", "Rendered", "Scope", "names", "render"]
CONTACT_NAMES = frozenset({"name", "phone", "jid", "language"})
MAX_VALUE = 4096  # a value longer than this is cut (a saved webhook response, say)


@dataclass(slots=True)
class Scope:
    """What templates and conditions can read during one step of a run."""

    contact: dict[str, Any] = field(default_factory=dict)  # name, phone, jid, language
    fields: dict[str, str] = field(default_factory=dict)  # custom fields
    labels: tuple[str, ...] = ()  # label names
    vars: dict[str, Any] = field(default_factory=dict)
    workspace: dict[str, Any] = field(default_factory=dict)  # name
    message: dict[str, Any] = field(default_factory=dict)  # text, mediaType


MISSING = object()


def _walk(value: Any, keys: list[str]) -> Any:
    for key in keys:
        if isinstance(value, Mapping) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return MISSING
    return value


def lookup(name: str, scope: Scope) -> Any:
    """The value of a variable name, or `MISSING` (unknown name, or no value)."""
    root, _, rest = name.partition(".")
    keys = rest.split(".") if rest else []
    match root:
        case "contact" if keys[:1] == ["fields"] and len(keys) == 2:
            return scope.fields.get(keys[1], MISSING)
        case "contact" if len(keys) == 1 and keys[0] in CONTACT_NAMES:
            value = scope.contact.get(keys[0])
        case "vars" if keys:
            value = _walk(scope.vars, keys)
        case "workspace" if keys == ["name"]:
            value = scope.workspace.get("name")
        case "message" if keys == ["text"]:
            value = scope.message.get("text")
        case _:
            return MISSING
    return MISSING if value is None else value


def known(name: str) -> bool:
    """Whether `name` is a variable a template may use (its value may still be missing)."""
    root, _, rest = name.partition(".")
    keys = rest.split(".") if rest else []
    return (
        (root == "contact" and len(keys) == 1 and keys[0] in CONTACT_NAMES)
        or (root == "contact" and len(keys) == 2 and keys[0] == "fields" and bool(keys[1]))
        or (root == "vars" and bool(keys) and all(keys))
        or name in ("workspace.name", "message.text")
    )


def as_text(value: Any) -> str:
    """A value as text: strings as they are, numbers and booleans plainly, the rest as JSON."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text[:MAX_VALUE]


def json_escape(text: str) -> str:
    """The content of a JSON string literal (quotes, backslashes, control characters)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def url_escape(text: str) -> str:
    return quote(text, safe="")


def header_escape(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def render(text: str | None, scope: Scope, escape: Callable[[str], str] | None = None) -> Rendered:
    """Fill every `{{name}}` of `text` from the run's scope; missing ones become "" (or their
    fallback) and are listed."""

    def value(name: str) -> str | None:
        found = lookup(name, scope)
        return None if found is MISSING else as_text(found)

    return fill(text or "", value, escape)
