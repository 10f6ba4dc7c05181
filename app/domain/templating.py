"""`{{contact.name}}`, `{{contact.fields.city}}` …: the one template syntax and renderer for
texts we fill per contact. `fill` is the core — tokens, `|fallback`, what was missing — and
takes a lookup; `render` looks names up in a flat mapping (broadcasts, canned replies), and
flows (`app/flows/template.py`) pass a lookup over a run's scope and an escape for where the
value lands (JSON body, URL, header).

A name is looked up in a flat mapping of dotted names (`contact_values` builds the contact's).
A name without a value renders as "" (or the `{{name|fallback}}` text after the bar) and is
reported in `Rendered.missing`, so a preview can warn before a customer reads "Hi ,".
`{{contact.city}}` is accepted as a short form of `{{contact.fields.city}}`: people type the
field's name as they see it in the contact card.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

TOKEN = re.compile(r"\{\{\s*([A-Za-z_][\w.\-]*)\s*(?:\|([^}]*))?\}\}")
CONTACT_NAMES = ("name", "first_name", "phone", "language")
MAX_VALUE = 1024

Values = Mapping[str, str | None]


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    missing: tuple[str, ...] = ()


def contact_values(
    *,
    name: str | None,
    phone: str | None,
    language: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> dict[str, str | None]:
    """The variables of one contact: `contact.name` (the best name we have), `first_name`,
    `phone` (E.164), `language`, and `contact.fields.<key>` per custom field."""
    name = (name or "").strip() or None
    values: dict[str, str | None] = {
        "contact.name": name,
        "contact.first_name": name.split()[0] if name else None,
        "contact.phone": phone,
        "contact.language": language,
    }
    for key, value in (fields or {}).items():
        values[f"contact.fields.{key}"] = value
    return values


def _lookup(name: str, values: Values) -> str | None:
    if name in values:
        return values[name]
    root, _, rest = name.partition(".")
    if root == "contact" and rest and "." not in rest:  # {{contact.city}}: a custom field
        return values.get(f"contact.fields.{rest}")
    return None


def fill(
    text: str,
    lookup: Callable[[str], str | None],
    escape: Callable[[str], str] | None = None,
) -> Rendered:
    """Fill every `{{name}}` / `{{name|fallback}}` of `text` with `lookup(name)`. A name
    without a value (None or "") takes its fallback, else "" — and is reported unless it had a
    fallback. `escape` applies to what fills a token (the value or its fallback), never to the
    rest of the template's own text."""
    if "{{" not in text:
        return Rendered(text)
    missing: list[str] = []

    def one(match: re.Match[str]) -> str:
        name, fallback = match.group(1), match.group(2)
        value = lookup(name)
        if value is None or value == "":
            if fallback is None:
                missing.append(name)
            value = (fallback or "").strip()
        return escape(value) if escape and value else value

    return Rendered(TOKEN.sub(one, text), tuple(dict.fromkeys(missing)))


def render(text: str, values: Values) -> Rendered:
    """Fill every `{{name}}` / `{{name|fallback}}` of `text` from `values`."""
    return fill(text, lambda name: (_lookup(name, values) or "")[:MAX_VALUE])


def names(text: str | None) -> list[str]:
    """The variable names `text` uses, in order of first use."""
    return list(dict.fromkeys(m.group(1) for m in TOKEN.finditer(text or "")))


def unknown(
    text: str,
    field_keys: set[str] | frozenset[str] = frozenset(),
    also: tuple[str, ...] = (),
) -> list[str]:
    """Names in `text` no contact can have: a typo (`{{contact.nmae}}`) to refuse up front.
    `field_keys`: the custom field keys the workspace uses; `also`: further names the caller
    fills (a canned reply's `agent.name`, `workspace.name`)."""
    out = []
    for name in names(text):
        if name in also:
            continue
        root, _, rest = name.partition(".")
        if root != "contact" or not rest:
            out.append(name)
            continue
        key = rest.removeprefix("fields.")
        if rest in CONTACT_NAMES or key in field_keys:
            continue
        if rest.startswith("fields.") and key:
            continue  # a field some contacts may lack: missing, not unknown
        out.append(name)
    return out
