"""CSAT (issue 17): after a conversation is resolved the customer may be asked for a 1-5
rating; their next message is taken as the answer only when it *is* a rating.

A rating is a message that says a number from 1 to 5 and little else: "4", "5!", "⭐⭐⭐⭐",
"5 stars", "4/5", "3 estrellas", "five". A sentence that happens to hold a digit ("I need 2
more boxes") is not one — it routes as any message does. The ask and the thanks come in the
customer's language (built-ins below; the workspace's own words win).
"""

from __future__ import annotations

import re
import unicodedata

WINDOW_H = 24  # a rating counts this long after the ask
STARS = "⭐★🌟"
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
    "dois": 2, "duas": 2, "quatro": 4,
    "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
    "eins": 1, "ein": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5,
    "ek": 1, "teen": 3, "paanch": 5,
}  # fmt: skip
# what may stand beside the number: stars, points, out of five, and polite filler
_FILLER = {
    "star", "stars", "estrella", "estrellas", "estrela", "estrelas", "etoile", "etoiles",
    "stern", "sterne", "points", "point", "puntos", "pontos", "punkte", "of", "out",
    "de", "sur", "von", "i", "give", "rate", "rating", "it", "a", "my", "is", "score",
    "/5", "5", "/", "thanks", "thank", "you", "gracias", "obrigado", "obrigada", "merci",
    "danke", "dhanyavad", "shukriya",
}  # fmt: skip
_TOKEN = re.compile(r"[a-z]+|\d+|/\d")

QUESTIONS: dict[str, str] = {
    "en": "How did we do? Please rate this conversation from 1 (poor) to 5 (excellent) — just "
    "reply with a number.",
    "es": "¿Qué tal lo hicimos? Valora esta conversación del 1 (mal) al 5 (excelente): responde "
    "solo con un número.",
    "pt": "Como nos saímos? Avalie esta conversa de 1 (ruim) a 5 (excelente) — responda apenas "
    "com um número.",
    "fr": "Comment avons-nous fait ? Notez cette conversation de 1 (mauvais) à 5 (excellent) — "
    "répondez simplement par un chiffre.",
    "de": "Wie waren wir? Bitte bewerten Sie dieses Gespräch von 1 (schlecht) bis 5 "
    "(ausgezeichnet) — antworten Sie einfach mit einer Zahl.",
    "hi": "हमारी सेवा कैसी रही? कृपया इस बातचीत को 1 (खराब) से 5 (बहुत बढ़िया) तक रेट करें — बस एक अंक भेजें।",
}
THANKS: dict[str, str] = {
    "en": "Thank you for your feedback!",
    "es": "¡Gracias por tu valoración!",
    "pt": "Obrigado pela sua avaliação!",
    "fr": "Merci pour votre avis !",
    "de": "Vielen Dank für Ihre Bewertung!",
    "hi": "आपकी प्रतिक्रिया के लिए धन्यवाद!",
}


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def rating_of(text: str | None) -> int | None:
    """The 1-5 rating `text` is, or None when it is anything else."""
    if not text or len(text) > 40:
        return None
    stars = sum(text.count(s) for s in STARS)
    rest = "".join(ch for ch in text if ch not in STARS)
    if stars and not _TOKEN.search(_fold(rest)):
        return stars if stars <= 5 else None  # "⭐⭐⭐⭐": as many stars as the rating
    tokens = _TOKEN.findall(_fold(rest))
    found = [
        int(t) if t.isdigit() else _WORDS[t]
        for t in tokens
        if (t.isdigit() and 1 <= int(t) <= 5) or t in _WORDS
    ]
    if not found:
        return None
    if any(t not in _FILLER and t not in _WORDS and not t.isdigit() for t in tokens):
        return None  # a sentence with a number in it
    numbers = [t for t in tokens if t.isdigit()]
    if any(not 1 <= int(n) <= 5 for n in numbers):
        return None  # "10", "2024"
    # "4 out of 5", "4/5": the first number is the rating
    return found[0]


def _phrase(table: dict[str, str], language: str | None) -> str:
    return table.get((language or "en").split("-")[0].lower(), table["en"])


def question(own: str | None, language: str | None) -> str:
    """The ask: the workspace's wording, else the built-in one in the customer's language."""
    return own.strip() if own and own.strip() else _phrase(QUESTIONS, language)


def thanks(own: str | None, language: str | None) -> str:
    """The one acknowledgement of a rating."""
    return own.strip() if own and own.strip() else _phrase(THANKS, language)
