"""Broadcast consent (issue 15.3): a contact who answers with an opt-out word is opted out of
broadcasts, told so once in their language, and skipped by every later broadcast.

A message is an opt-out when its whole text is one of the words (any case, surrounding
punctuation and spaces ignored): "stop" inside a sentence ("don't stop the delivery") must not
unsubscribe anyone. The built-in words and the language each one implies; a workspace adds its
own (`WorkspaceSettings.opt_out_words`), answered in the contact's language.
"""

from __future__ import annotations

import unicodedata

BUILT_IN: dict[str, str | None] = {
    "STOP": None,  # the contact's language (English when unknown)
    "UNSUBSCRIBE": None,
    "BAJA": "es",
    "PARAR": "pt",
    "ROKO": "hi",
}

CONFIRMATIONS: dict[str, str] = {
    "en": "You will not receive any more broadcast messages from us. You can still write to us "
    "at any time.",
    "es": "No recibirás más mensajes de difusión de nuestra parte. Puedes seguir escribiéndonos "
    "cuando quieras.",
    "pt": "Você não receberá mais mensagens de transmissão nossas. Pode continuar a nos escrever "
    "quando quiser.",
    "hi": "अब आपको हमारी ओर से कोई प्रसारण संदेश नहीं मिलेगा। आप कभी भी हमें लिख सकते हैं।",
    "de": "Sie erhalten keine Rundnachrichten mehr von uns. Sie können uns weiterhin jederzeit "
    "schreiben.",
    "fr": "Vous ne recevrez plus de messages de diffusion de notre part. Vous pouvez toujours "
    "nous écrire.",
}


def normalise(text: str) -> str:
    """Upper case, accents and surrounding punctuation/space removed: "  Stop! " → "STOP"."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return folded.strip().strip(".,;:!¡?¿\"'()[]{}*_~-").strip().upper()


def opt_out_word(text: str | None, extra: list[str] | tuple[str, ...] = ()) -> str | None:
    """The opt-out word `text` consists of, or None."""
    if not text or len(text) > 40:
        return None
    word = normalise(text)
    if word in BUILT_IN or word in {normalise(w) for w in extra if w.strip()}:
        return word
    return None


def confirmation(word: str, contact_language: str | None) -> str:
    """What we answer, once: in the language the word implies, else the contact's, else
    English."""
    language = BUILT_IN.get(word) or (contact_language or "en")
    return CONFIRMATIONS.get(language.split("-")[0].lower(), CONFIRMATIONS["en"])
