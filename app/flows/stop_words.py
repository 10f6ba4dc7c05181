"""Words that end a contact's flow run when they are the whole message ("stop", "Cancel!",
"Abbrechen"), in the languages customers write most, plus the workspace's own
(`flowStopWords`). Compared folded (case, accents and surrounding punctuation ignored), so
"ANNULÉR" and "annuler" are the same word; "don't stop" is not a stop word.
"""

from __future__ import annotations

from app.flows.text import word

BUILT_IN = frozenset(
    word(w)
    for w in (
        # en
        "stop",
        "cancel",
        "quit",
        "exit",
        "unsubscribe",
        # de
        "stopp",
        "abbrechen",
        "abbruch",
        "beenden",
        # fr
        "arrêter",
        "arrête",
        "annuler",
        # es / pt
        "cancelar",
        "parar",
        "para",
        "salir",
        "sair",
        # it
        "annulla",
        "basta",
        "esci",
        # nl
        "annuleren",
        # tr
        "iptal",
        "dur",
        # ru / uk
        "стоп",
        "отмена",
        "скасувати",
        # ar
        "توقف",
        "إلغاء",
        # hi
        "रुको",
        "रद्द",
        # zh / ja
        "停止",
        "取消",
        "キャンセル",
    )
)


def is_stop(text: str | None, extra: list[str] | tuple[str, ...] = ()) -> bool:
    """Whether the whole message is a stop word (built in, or one of `extra`)."""
    said = word(text)
    if not said:
        return False
    return said in BUILT_IN or any(said == word(w) for w in extra)
