"""Tolerant field readers: the same protobuf field spelled by different libraries."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from app.channels.normalize.fields import get, sha256_hex, timestamp, to_int
from app.channels.normalize.jids import canonical_jid, split_identities


def test_case_insensitive_lookup() -> None:
    assert get({"stanzaID": "a"}, "stanzaId") == "a"
    assert get({"URL": "u"}, "url") == "u"
    assert get({"x": None, "X": 1}, "x") == 1
    assert get("not a map", "x") is None


def test_numbers_from_every_encoding() -> None:
    assert to_int("18446") == 18446
    assert to_int({"low": 5, "high": 1, "unsigned": True}) == (1 << 32) + 5
    assert to_int(None) is None and to_int(True) is None and to_int("x") is None


def test_timestamps() -> None:
    expected = datetime(2026, 1, 31, 3, 21, 38, tzinfo=UTC)
    assert timestamp(1769829698) == expected
    assert timestamp("1769829698") == expected
    assert timestamp(1769829698000) == expected
    assert timestamp("2026-01-31T03:21:38Z") == expected
    assert timestamp(0) is None and timestamp("soon") is None


def test_digests() -> None:
    digest = hashlib.sha256(b"x").digest()
    assert sha256_hex(base64.b64encode(digest).decode()) == digest.hex()
    assert sha256_hex(digest) == digest.hex()
    assert sha256_hex("[REDACTED]") is None


def test_jids() -> None:
    assert canonical_jid("123@c.us") == "123@s.whatsapp.net"
    assert canonical_jid("123:12@s.whatsapp.net") == "123@s.whatsapp.net"
    assert canonical_jid("1203-99@g.us") == "1203-99@g.us"
    assert split_identities("9@lid", None, "123@c.us") == ("123@s.whatsapp.net", "9@lid")
