"""Contacts as CSV for spreadsheets: export (fixed columns, then the labels joined by ';') and
import (a phone column, optionally name, labels, notes, language, and custom fields; what the
export writes and what spreadsheets save: UTF-8 or Latin-1, comma, semicolon or tab).

Export cells are made safe to open (OWASP "CSV injection"): a value starting with =, +, -, @, TAB or
CR — also after leading spaces — would run as a formula in Excel or LibreOffice, so it is
prefixed with a quote. Only + or - followed by digits alone (+4917…, a phone number; -5) is left
as it is. The labels column goes through the same rule as every other cell.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, NamedTuple

import msgspec

from app.domain import Invalid
from app.domain import conversations as c
from app.domain.phones import PhoneError, to_e164

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


# --- import -------------------------------------------------------------------------------

MAX_IMPORT_ROWS = 10_000
PHONE_COLUMNS = ("phone_number", "phone", "phonenumber", "number", "mobile", "whatsapp", "jid")
NAME_COLUMNS = ("display_name", "name")
# columns of our own export that are not the contact's to set by import: ignored, not custom
EXPORT_ONLY = {c for c in CSV_COLUMNS if c not in ("phone_number", "name", "display_name")}
EXPORT_ONLY -= {"notes", "language"}
_LABEL_SPLIT = re.compile(r"[;|,]")


class ImportRow(NamedTuple):
    line: int  # 1 = the header; data starts at 2, as a spreadsheet shows it
    phone: str  # E.164
    name: str | None
    labels: tuple[str, ...]
    fields: dict[str, str]
    notes: str | None = None
    language: str | None = None


class Rejected(NamedTuple):
    line: int
    value: str  # the phone cell as written
    reason: str


class ParsedImport(NamedTuple):
    rows: list[ImportRow]
    rejected: list[Rejected]
    ignored_columns: list[str]
    custom_columns: list[str]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); anything else is read as Latin-1 (older Excel)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _key(header: str) -> str:
    return re.sub(r"[\s-]+", "_", header.strip().lower())


def parse_import(text: str, default_region: str | None = None) -> ParsedImport:
    """Rows to import and rows rejected (with the reason), from CSV with a header row: a phone
    column (phone, phone_number, number, mobile, whatsapp …), optionally name, labels (split
    on ; | or ,), notes, language; any other column is a custom field. Raises Invalid when the
    file as a whole cannot be read."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise Invalid("the file is empty; the first line must name the columns")
    try:
        dialect: Any = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip() for h in next(reader)]
    keys = [_key(h) for h in header]
    phone_at = next((keys.index(k) for k in PHONE_COLUMNS if k in keys), None)
    if phone_at is None:
        raise Invalid(f"no phone column: name one of {', '.join(PHONE_COLUMNS[:5])}")
    name_at = next((keys.index(k) for k in NAME_COLUMNS if k in keys), None)
    used = {phone_at, name_at} | {i for i, k in enumerate(keys) if k in PHONE_COLUMNS}
    special = {k: keys.index(k) for k in ("labels", "notes", "language") if k in keys}
    used |= set(special.values()) | {i for i, k in enumerate(keys) if k in NAME_COLUMNS}
    ignored = [header[i] for i, k in enumerate(keys) if k in EXPORT_ONLY and i not in used]
    custom = [i for i, k in enumerate(keys) if i not in used and k not in EXPORT_ONLY and header[i]]
    rows: list[ImportRow] = []
    rejected: list[Rejected] = []
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(rows) + len(rejected) >= MAX_IMPORT_ROWS:
            raise Invalid(f"too many rows: at most {MAX_IMPORT_ROWS} per import")

        def cell(i: int | None, cells: list[str] = cells) -> str:
            return cells[i].strip() if i is not None and i < len(cells) else ""

        raw = cell(phone_at)
        try:
            phone = to_e164(raw.lstrip("'"), default_region)  # our export quotes '+49…'
        except PhoneError as exc:
            rejected.append(Rejected(line, raw, str(exc)))
            continue
        if phone in seen:
            rejected.append(Rejected(line, raw, f"the same number as line {seen[phone]}"))
            continue
        name = cell(name_at) or None
        if name is not None and len(name) > 255:
            rejected.append(Rejected(line, raw, "the name is longer than 255 characters"))
            continue
        seen[phone] = line
        labels = tuple(
            dict.fromkeys(p.strip()[:100] for p in _LABEL_SPLIT.split(cell(special.get("labels"))))
        )
        fields = {header[i][:100]: cell(i) for i in custom if cell(i)}
        language = cell(special.get("language"))[:16] or None
        notes = cell(special.get("notes")) or None
        named = tuple(label for label in labels if label)
        rows.append(ImportRow(line, phone, name, named, fields, notes, language))
    return ParsedImport(rows, rejected, ignored, [header[i] for i in custom])
