"""The parent ↔ channel-worker protocol: length-prefixed JSON frames, and codecs for our types.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. Three shapes:
commands `{"id", "cmd", "args"}` (parent → worker), replies `{"id", "ok", "result" | "error"}`
and events `{"event", "data"}` (worker → parent). Commands: connect, pair, send, download,
typing, logout, stop. Events: qr, status, message, receipt, log.
"""

from __future__ import annotations

import asyncio
import base64
import json
import struct
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from app.domain import (
    Location,
    MediaType,
    MessageKind,
    NormalizedMessage,
    OutboundMessage,
    Reaction,
    Receipt,
    ReceiptKind,
)

MAX_FRAME = 64 * 1024 * 1024
_HEADER = struct.Struct(">I")

COMMANDS = frozenset({"connect", "pair", "send", "download", "typing", "logout", "stop"})
EVENTS = frozenset({"qr", "status", "message", "receipt", "log"})


class ProtocolError(Exception):
    """A malformed or oversized frame: the link cannot be trusted any more."""


def encode_frame(obj: dict[str, Any]) -> bytes:
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
    if len(body) > MAX_FRAME:
        raise ProtocolError(f"frame of {len(body)} bytes exceeds {MAX_FRAME}")
    return _HEADER.pack(len(body)) + body


def decode_body(body: bytes) -> dict[str, Any]:
    obj = json.loads(body)
    if not isinstance(obj, dict):
        raise ProtocolError("frame is not a JSON object")
    return obj


def frame_length(header: bytes) -> int:
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME:
        raise ProtocolError(f"frame of {length} bytes exceeds {MAX_FRAME}")
    return length


async def read_frame(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next frame, or None when the peer closed the link."""
    try:
        header = await reader.readexactly(_HEADER.size)
        return decode_body(await reader.readexactly(frame_length(header)))
    except asyncio.IncompleteReadError:
        return None


def to_wire(value: Any) -> Any:
    """Dataclasses, datetimes, enums and bytes as JSON-safe values."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_wire(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode()}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    return value


def _bytes(value: Any) -> bytes | None:
    return base64.b64decode(value["$b64"]) if isinstance(value, dict) else None


def message_from_wire(data: dict[str, Any]) -> NormalizedMessage:
    d = dict(data)
    d["timestamp"] = datetime.fromisoformat(d["timestamp"])
    d["kind"] = MessageKind(d["kind"])
    d["media_type"] = MediaType(d["media_type"]) if d.get("media_type") else None
    d["location"] = Location(**d["location"]) if d.get("location") else None
    d["reaction"] = Reaction(**d["reaction"]) if d.get("reaction") else None
    return NormalizedMessage(**d)


def outbound_from_wire(data: dict[str, Any]) -> OutboundMessage:
    d = dict(data)
    d["media_type"] = MediaType(d["media_type"]) if d.get("media_type") else None
    d["media_bytes"] = _bytes(d.get("media_bytes"))
    d["location"] = Location(**d["location"]) if d.get("location") else None
    return OutboundMessage(**d)


def receipt_from_wire(data: dict[str, Any]) -> Receipt:
    d = dict(data)
    d["wa_message_ids"] = tuple(d["wa_message_ids"])
    d["kind"] = ReceiptKind(d["kind"])
    d["timestamp"] = datetime.fromisoformat(d["timestamp"])
    return Receipt(**d)


def bytes_from_wire(value: Any) -> bytes:
    result = _bytes(value)
    if result is None:
        raise ProtocolError("expected a base64 bytes value")
    return result
