"""Phone numbers as WhatsApp needs them: E.164 (`+4917612345678`), validated.

People write numbers every way — `+49 176 1234-5678`, `0049…`, `4917…` (as WhatsApp ids do),
or national (`0176 …`) when a default country is known. `phonenumbers` (Google's libphonenumber
metadata) decides whether the result is a real number of its country.
"""

from __future__ import annotations

import re

import phonenumbers

_NOISE = re.compile(r"[\s().\-/]")


class PhoneError(ValueError):
    """Not a usable phone number; the message says why, for the person who typed it."""


def to_e164(raw: str, default_region: str | None = None) -> str:
    """The number in E.164, or PhoneError. Without a `+` (or `00`) the digits are read as
    international without the `+` (as WhatsApp ids are written); with a `default_region` (an
    ISO country code such as "DE") a number starting with the trunk `0` is read as national
    first, and any other that is not valid internationally as national too."""
    text = (raw or "").strip()
    if text.endswith("@s.whatsapp.net"):
        text = "+" + text.split("@", 1)[0].split(":", 1)[0]
    text = _NOISE.sub("", text)
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text:
        raise PhoneError("no phone number given")
    if not re.fullmatch(r"\+?[0-9]+", text):
        raise PhoneError(f"{raw!r} is not a phone number (digits, optionally a leading +)")
    if text.startswith("+"):
        candidates = [text]
    elif default_region and text.startswith("0"):
        candidates = [text, "+" + text]
    else:
        candidates = ["+" + text, *([text] if default_region else [])]
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, default_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not text.startswith("+") and not default_region and text.startswith("0"):
        raise PhoneError(
            f"{raw!r} has no country code: write it as +<country code><number>, e.g. +4917612345678"
        )
    raise PhoneError(f"{raw!r} is not a valid phone number")


def jid_of(e164: str) -> str:
    """The WhatsApp user id of an E.164 number."""
    return f"{e164.lstrip('+')}@s.whatsapp.net"


def valid_region(code: str) -> bool:
    return code.upper() in phonenumbers.SUPPORTED_REGIONS
