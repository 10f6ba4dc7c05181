"""Reading a customer's answer: numbered options and the question validations.

WhatsApp Web has no quick-reply buttons, so the seed's `buttons` are sent as a numbered list
under the text; a reply of the number ("2", "2.", "2️⃣") or of the option's text (any case,
accents optional) picks it, and the option's own text is what the flow saves.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from app.flows.text import fold, word

VALIDATIONS = ("text", "number", "email", "phone", "option")
_KEYCAP = "\ufe0f\u20e3"
_EMAIL = regex.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")
_NUMBER = regex.compile(r"^[-+]?\d+(?:[.,]\d+)?$")
_PHONE_CHARS = regex.compile(r"[\s().\-/]")


@dataclass(frozen=True, slots=True)
class Answer:
    ok: bool
    value: str = ""


def numbered(text: str, options: list[str]) -> str:
    """`text` followed by "1. first", "2. second" … on their own lines."""
    if not options:
        return text
    lines = [f"{i}. {option}" for i, option in enumerate(options, 1)]
    return "\n\n".join(part for part in (text.strip(), "\n".join(lines)) if part)


def pick(reply: str, options: list[str]) -> str | None:
    """The option `reply` chooses (by number or by text), or None."""
    raw = (reply or "").strip().replace(_KEYCAP, "")
    digits = word(raw)
    if digits.isdigit() and 1 <= int(digits) <= len(options):
        return options[int(digits) - 1]
    said = word(raw)
    for option in options:
        if said and said == word(option):
            return option
    return None


def check(validation: str | None, reply: str, options: list[str]) -> Answer:
    """Whether `reply` answers a question validated as `validation` (and its saved form)."""
    text = (reply or "").strip()
    if options or validation == "option":
        chosen = pick(text, options)
        return Answer(chosen is not None, chosen or "")
    match validation:
        case "number":
            compact = text.replace(" ", "")
            return Answer(bool(_NUMBER.match(compact)), compact.replace(",", "."))
        case "email":
            return Answer(bool(_EMAIL.match(text)), text.lower())
        case "phone":
            compact = _PHONE_CHARS.sub("", text)
            international = compact.startswith(("+", "00"))
            digits = compact.removeprefix("+").removeprefix("00") if international else compact
            ok = digits.isdigit() and 7 <= len(digits) <= 15
            return Answer(ok, "+" + digits if international else digits)
        case _:
            return Answer(bool(fold(text)), text)
