"""Contacts as CSV for spreadsheets: fixed columns, then the labels joined by ';'.

Cells are made safe to open (OWASP "CSV injection"): a value starting with =, +, -, @, TAB or
CR — also after leading spaces — would run as a formula in Excel or LibreOffice, so it is
prefixed with a quote. Only + or - followed by digits alone (+4917…, a phone number; -5) is left
as it is. The labels column goes through the same rule as every other cell.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import msgspec

from app.domain import conversations as c

CSV_COLUMNS = (
    "id", "jid", "phone_number", "name", "display_name", "is_blocked", "human_takeover",
    "approval_mode", "autoreply_enabled", "is_vip", "language", "notes", "first_seen_at",
    "last_message_at",
)  # fmt: skip


def csv_header() -> bytes:
    return (",".join(CSV_COLUMNS) + ",labels\r\n").encode()


def csv_rows(contacts: list[c.Contact]) -> bytes:
    """One CSV line per contact, in `CSV_COLUMNS` order plus the labels."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    keys = [_camel(k) for k in CSV_COLUMNS]
    for contact in contacts:
        data = msgspec.to_builtins(contact)
        values = [data[k] for k in keys]
        labels = ";".join(lb.name for lb in contact.labels)
        writer.writerow([_cell(v) for v in [*values, labels]])
    return buffer.getvalue().encode()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value: Any) -> str:
    """Plain text that no spreadsheet runs as a formula (see the module docs)."""
    text = "" if value is None else str(value)
    head = text.lstrip(" ")
    if not head.startswith(_FORMULA_START):
        return text
    if head[0] in "+-" and head[1:].isdigit():
        return text  # a phone number or a negative number
    return "'" + text
