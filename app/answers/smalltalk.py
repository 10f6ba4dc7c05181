"""Greetings, thanks and acknowledgements: a short friendly reply, never a knowledge passage.

"hi" retrieved an uploaded passage at cosine 0.94 — any text is "close" to a two-letter
message. These messages are recognised by their words (a short list per language, plus emoji)
before retrieval, answered with the workspace's welcome message or a built-in line in the
customer's language, and are not escalated: nobody needs a person to say hello back.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from app.vectors.lexical import tokenize

Kind = Literal["greeting", "thanks", "ack", "bye"]
MAX_WORDS = 6

# word → (kind, language); multi-word phrases are matched as whole messages below
# fmt: off
_WORDS: dict[str, tuple[Kind, str]] = {
    **{w: ("greeting", "en") for w in (
        "hi", "hii", "hiii", "hello", "hey", "heya", "hiya", "yo", "howdy", "greetings",
        "morning", "evening", "afternoon",
    )},
    **{w: ("greeting", "es") for w in (
        "hola", "buenas", "buenos", "dias", "días", "tardes", "noches",
    )},
    **{w: ("greeting", "pt") for w in ("olá", "ola", "oi", "bom", "dia", "boa", "tarde", "noite")},
    **{w: ("greeting", "fr") for w in ("bonjour", "salut", "bonsoir", "coucou")},
    **{w: ("greeting", "de") for w in (
        "hallo", "moin", "servus", "guten", "tag", "morgen", "abend",
    )},
    **{w: ("greeting", "it") for w in ("ciao", "buongiorno", "buonasera", "salve")},
    **{w: ("greeting", "nl") for w in ("hoi", "goedemorgen", "goedemiddag", "goedenavond")},
    **{w: ("greeting", "hi") for w in (
        "namaste", "namaskar", "नमस्ते", "नमस्कार", "प्रणाम", "राम", "हेलो", "हाय",
    )},
    **{w: ("greeting", "ar") for w in (
        "مرحبا", "مرحباً", "اهلا", "أهلا", "أهلاً", "اهلاً", "السلام", "سلام", "عليكم", "صباح",
        "مساء", "الخير", "النور", "هلا",
    )},
    **{w: ("greeting", "id") for w in ("halo", "selamat", "pagi", "siang", "sore", "malam")},
    **{w: ("greeting", "tr") for w in ("merhaba", "selam", "günaydın")},
    **{w: ("greeting", "ru") for w in (
        "привет", "здравствуйте", "добрый", "день", "утро", "вечер",
    )},
    **{w: ("thanks", "en") for w in (
        "thanks", "thank", "thx", "ty", "tnx", "cheers", "appreciated", "appreciate",
    )},
    **{w: ("thanks", "es") for w in ("gracias", "muchas", "mil")},
    **{w: ("thanks", "pt") for w in ("obrigado", "obrigada", "valeu")},
    **{w: ("thanks", "fr") for w in ("merci", "beaucoup")},
    **{w: ("thanks", "de") for w in ("danke", "dankeschön", "vielen", "dank")},
    **{w: ("thanks", "it") for w in ("grazie", "mille")},
    **{w: ("thanks", "nl") for w in ("bedankt", "dankjewel", "dankuwel")},
    **{w: ("thanks", "hi") for w in ("dhanyavad", "dhanyawad", "shukriya", "धन्यवाद", "शुक्रिया")},
    **{w: ("thanks", "ar") for w in ("شكرا", "شكراً", "مشكور", "جزيلا", "جزيلاً")},
    **{w: ("thanks", "id") for w in ("terima", "kasih", "makasih")},
    **{w: ("thanks", "tr") for w in ("teşekkürler", "sağol", "sağolun")},
    **{w: ("thanks", "ru") for w in ("спасибо", "благодарю")},
    **{w: ("ack", "en") for w in (
        "ok", "okay", "okey", "k", "kk", "great", "cool", "nice", "perfect", "fine", "alright",
        "good",
        "sure", "got", "it", "noted", "awesome", "yes", "yep", "yeah", "no", "nope",
    )},
    **{w: ("ack", "es") for w in ("vale", "perfecto", "genial", "bueno", "entendido", "sí", "si")},
    **{w: ("ack", "pt") for w in ("certo", "beleza", "perfeito", "entendi")},
    **{w: ("ack", "fr") for w in ("accord", "parfait", "entendu", "oui")},
    **{w: ("ack", "de") for w in ("alles", "klar", "gut", "super", "perfekt", "ja")},
    **{w: ("ack", "hi") for w in ("ठीक", "है", "अच्छा", "theek", "thik", "hai", "accha", "acha")},
    **{w: ("ack", "ar") for w in ("حسنا", "حسناً", "تمام", "طيب", "ممتاز")},
    **{w: ("bye", "en") for w in ("bye", "goodbye", "cya", "later", "night", "goodnight")},
    **{w: ("bye", "es") for w in ("adiós", "adios", "chao", "hasta", "luego")},
    **{w: ("bye", "fr") for w in ("revoir", "au")},
    **{w: ("bye", "de") for w in ("tschüss", "tschüs", "wiedersehen", "auf")},
    **{w: ("bye", "ar") for w in ("مع", "السلامة")},
}
# fillers that may accompany a greeting without making it a question
_FILLERS = frozenset({
    "there", "all", "everyone", "guys", "team", "you", "so", "very", "much", "a", "lot",
    "again", "de", "nuevo", "for", "the", "help", "your", "and", "y", "e", "und",
    "et", "to", "sir", "madam", "d", "bhai", "ji", "जी", "friend", "mate", "dear", "bro",
})
# fmt: on
_EMOJI_KIND: dict[str, Kind] = {"👋": "greeting", "🙏": "thanks", "👍": "ack", "👌": "ack"}
_PRIORITY: tuple[Kind, ...] = ("thanks", "bye", "greeting", "ack")

_REPLIES: dict[str, dict[Kind, str]] = {
    "en": {"greeting": "Hello! How can I help you?", "thanks": "You're welcome! 😊",
           "ack": "👍 Anything else I can help with?", "bye": "Goodbye, have a nice day!"},
    "es": {"greeting": "¡Hola! ¿En qué puedo ayudarte?", "thanks": "¡De nada! 😊",
           "ack": "👍 ¿Te puedo ayudar con algo más?",
           "bye": "¡Hasta luego, que tengas un buen día!"},
    "pt": {"greeting": "Olá! Como posso ajudar?", "thanks": "De nada! 😊",
           "ack": "👍 Posso ajudar com mais alguma coisa?", "bye": "Até logo, tenha um bom dia!"},
    "fr": {"greeting": "Bonjour ! Comment puis-je vous aider ?", "thanks": "Avec plaisir ! 😊",
           "ack": "👍 Puis-je vous aider pour autre chose ?", "bye": "Au revoir, bonne journée !"},
    "de": {"greeting": "Hallo! Wie kann ich helfen?", "thanks": "Gern geschehen! 😊",
           "ack": "👍 Kann ich sonst noch helfen?", "bye": "Auf Wiedersehen, einen schönen Tag!"},
    "it": {"greeting": "Ciao! Come posso aiutarti?", "thanks": "Prego! 😊",
           "ack": "👍 Posso aiutarti con altro?", "bye": "Arrivederci, buona giornata!"},
    "nl": {"greeting": "Hallo! Hoe kan ik helpen?", "thanks": "Graag gedaan! 😊",
           "ack": "👍 Kan ik nog ergens mee helpen?", "bye": "Tot ziens, fijne dag!"},
    "hi": {"greeting": "नमस्ते! मैं आपकी क्या मदद कर सकता हूँ?", "thanks": "आपका स्वागत है! 😊",
           "ack": "👍 क्या मैं और कुछ मदद कर सकता हूँ?", "bye": "फिर मिलेंगे, आपका दिन शुभ हो!"},
    "ar": {"greeting": "مرحبًا! كيف يمكنني مساعدتك؟", "thanks": "على الرحب والسعة! 😊",
           "ack": "👍 هل يمكنني مساعدتك في شيء آخر؟", "bye": "مع السلامة، يومك سعيد!"},
    "id": {"greeting": "Halo! Ada yang bisa saya bantu?", "thanks": "Sama-sama! 😊",
           "ack": "👍 Ada lagi yang bisa saya bantu?",
           "bye": "Sampai jumpa, semoga harimu menyenangkan!"},
    "tr": {"greeting": "Merhaba! Size nasıl yardımcı olabilirim?", "thanks": "Rica ederim! 😊",
           "ack": "👍 Başka bir konuda yardımcı olabilir miyim?",
           "bye": "Hoşça kalın, iyi günler!"},
    "ru": {"greeting": "Здравствуйте! Чем могу помочь?", "thanks": "Пожалуйста! 😊",
           "ack": "👍 Могу ещё чем-нибудь помочь?", "bye": "До свидания, хорошего дня!"},
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SmallTalk:
    kind: Kind
    language: str | None  # the language its words belong to, when they tell


def _emoji_only(text: str) -> Kind | None:
    symbols = [ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] in "SP"]
    if not symbols or any(ch.isalnum() for ch in text):
        return None
    for ch in symbols:
        if ch in _EMOJI_KIND:
            return _EMOJI_KIND[ch]
    return "ack" if all(unicodedata.category(ch) == "So" for ch in symbols) else None


def classify(text: str) -> SmallTalk | None:
    """The kind of small talk `text` is, or None when it asks or says anything else."""
    cleaned = (text or "").strip()
    if not cleaned or "?" in cleaned or "¿" in cleaned or "؟" in cleaned:
        return None
    emoji = _emoji_only(cleaned)
    if emoji is not None:
        return SmallTalk(emoji, None)
    words = [w for w in tokenize(cleaned) if not w.isdigit()]
    if not words or len(words) > MAX_WORDS or any(ch.isdigit() for ch in cleaned):
        return None
    hits = [_WORDS[w] for w in words if w in _WORDS]
    if len(hits) + sum(w in _FILLERS for w in words if w not in _WORDS) < len(words) or not hits:
        return None
    kinds = {k for k, _ in hits}
    kind = next(k for k in _PRIORITY if k in kinds)
    languages = [lang for k, lang in hits if k == kind] or [lang for _, lang in hits]
    return SmallTalk(kind, max(set(languages), key=languages.count))


def reply(talk: SmallTalk, language: str | None, welcome: str | None) -> str:
    """The answer: the welcome message for a greeting when the workspace has one, else a
    built-in line in the customer's language (their words' language first)."""
    if talk.kind == "greeting" and welcome:
        return welcome
    base = (talk.language or language or "en").split("-")[0].lower()
    return _REPLIES.get(base, _REPLIES["en"])[talk.kind]
