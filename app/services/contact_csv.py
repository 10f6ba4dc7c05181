"""Contacts as CSV for spreadsheets: fixed columns, then the labels joined by ';'.

Cells are made safe to open: a value starting with =, +, - or @ would run as a formula in
Excel or LibreOffice, so it is prefixed with a quote (a sign followed only by digits, such as
+4917…, is a phone number and is left alone).
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
        writer.writerow([_cell(v) for v in values] + [";".join(lb.name for lb in contact.labels)])
    return buffer.getvalue().encode()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _cell(value: Any) -> str:
    """Plain text; a leading =,+,-,@ is quoted so spreadsheets don't run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not text[1:].isdigit() else text
