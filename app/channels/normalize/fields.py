"""Tolerant readers for WhatsApp JSON, whichever library wrote it.

The same protobuf travels as JSON with different spellings: Baileys writes `stanzaId`, `url`,
`ptt` and 64-bit numbers as strings; whatsmeow/protobuf JSON writes `stanzaID`, `URL`, `PTT`.
Lookups here ignore case so one walker reads both.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

JsonMap = Mapping[str, Any]


def get(data: Any, *names: str) -> Any:
    """The first present, non-null field among `names`, matched case-insensitively."""
    if not isinstance(data, Mapping):
        return None
    for name in names:
        if name in data and data[name] is not None:
            return data[name]
    lowered = {k.lower(): v for k, v in data.items() if isinstance(k, str)}
    for name in names:
        value = lowered.get(name.lower())
        if value is not None:
            return value
    return None


def get_map(data: Any, *names: str) -> JsonMap | None:
    value = get(data, *names)
    return value if isinstance(value, Mapping) else None


def get_str(data: Any, *names: str) -> str | None:
    value = get(data, *names)
    if value is None or isinstance(value, Mapping | list):
        return None
    text = str(value)
    return text if text else None


def to_int(value: Any) -> int | None:
    """Ints, numeric strings, and protobuf.js Longs ({low, high})."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Mapping) and "low" in value:
        return (int(value.get("high", 0)) << 32) | (int(value["low"]) & 0xFFFFFFFF)
    try:
        return int(float(value)) if isinstance(value, str) and "." in value else int(value)
    except (TypeError, ValueError):
        return None


def to_float(value: Any) -> float | None:
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def to_bool(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def sha256_hex(value: Any) -> str | None:
    """A base64 (JSON) or raw SHA-256 digest as hex; None for redacted placeholders."""
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str):
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return None
    else:
        return None
    return raw.hex() if len(raw) == 32 else None


def timestamp(value: Any) -> datetime | None:
    """Unix seconds or milliseconds, or an ISO-8601 string, as an aware UTC datetime."""
    if isinstance(value, str) and not value.replace(".", "", 1).isdigit():
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    number = to_float(value)
    if number is None:
        number = to_int(value)
    if number is None or number <= 0:
        return None
    if number > 10**11:  # milliseconds
        number /= 1000
    return datetime.fromtimestamp(number, UTC)
