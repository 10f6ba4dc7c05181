"""What the contacts pages share: how a contact is named, the checks a value gets before it
reaches the service (the API checks the same with msgspec)."""

from __future__ import annotations

import re

from app.domain import Invalid
from app.domain import conversations as c

NO_ACCESS = "Your role does not give access to contacts."
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
PALETTE = ["#607D8B", "#E53935", "#FB8C00", "#FDD835", "#43A047", "#1E88E5", "#8E24AA"]


def shown_name(contact: c.Contact) -> str:
    """The name the business set, else the one WhatsApp reported, else the number."""
    return contact.display_name or contact.name or phone(contact)


def initials(contact: c.Contact) -> str:
    name = contact.display_name or contact.name
    if not name:
        return phone(contact)[-2:]
    parts = [p for p in re.split(r"\s+", name.strip()) if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def phone(contact: c.Contact) -> str:
    """`+4917…`; a contact known only by its LID shows that instead."""
    return contact.phone_number or contact.jid.split("@", 1)[0]


def checked_label(name: str, color: str) -> tuple[str, str]:
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise Invalid("a label name has 1 to 100 characters")
    if not COLOR.match(color):
        raise Invalid("a label colour looks like #1E88E5")
    return name, color


def checked_field(key: str, value: str) -> tuple[str, str]:
    key = key.strip()
    if not 1 <= len(key) <= 100:
        raise Invalid("a field name has 1 to 100 characters")
    if len(value) > 1000:
        raise Invalid("a field value has at most 1000 characters")
    return key, value
