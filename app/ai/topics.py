"""Sensitive topics the seed says always go to a human (refunds, complaints, legal).

A keyword list per language, matched on word starts so "refunded" and "Rückerstattung" hit
without a model. Deliberately small and conservative: a false positive costs a human a look,
a false negative lets the bot improvise about money or law.
"""

from __future__ import annotations

import re
import unicodedata

# fmt: off
SENSITIVE: dict[str, tuple[str, ...]] = {
    "refund": (
        "refund", "money back", "chargeback", "reimburs",  # en
        "reembols", "devoluci", "devolver el dinero",  # es
        "rembours",  # fr
        "rückerstatt", "ruckerstatt", "erstattung", "geld zurück", "geld zuruck",  # de
        "reembolso", "estorno", "devolução", "devolucao",  # pt
        "rimborso", "rimbors",  # it
        "terugbetal", "geld terug",  # nl
        "वापसी", "रिफंड",  # hi
    ),
    "complaint": (
        "complain", "complaint", "unacceptable", "disgusting", "worst service",
        "queja", "reclamaci", "reclamo",
        "plainte", "réclamation", "reclamation",
        "beschwerde", "reklamation",
        "reclamação", "reclamacao",
        "reclamo", "lamentela",
        "klacht",
        "शिकायत",
    ),
    "legal": (
        "lawyer", "attorney", "lawsuit", "sue you", "legal action", "court", "gdpr",
        "abogado", "demanda", "denuncia",
        "avocat", "procès", "proces", "tribunal",
        "anwalt", "klage", "gericht", "verklagen",
        "advogado", "processo judicial",
        "avvocato", "denuncia",
        "advocaat", "rechtszaak",
        "वकील", "अदालत",
    ),
}
# fmt: on


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(_fold(w)) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})", re.UNICODE)


_PATTERNS = {topic: _pattern(words) for topic, words in SENSITIVE.items()}


def sensitive_topic(text: str) -> str | None:
    """The first sensitive topic `text` touches ("refund", "complaint", "legal"), else None."""
    folded = _fold(text or "")
    for topic, pattern in _PATTERNS.items():
        if pattern.search(folded):
            return topic
    return None
