"""Content terms of a question and how many of them a text covers.

"Can I pay with PayPal when I order online?" shares "order" with the delivery FAQ and nothing
else that matters; an embedding calls them close (cosine 0.84), the terms do not. Terms are the
language-neutral tokens of the keyword index (app/vectors/lexical.py) minus function words of
the languages the bot meets most, compared by a crude stem (the first five letters of a long
word; Arabic without its article) so "deliver" meets "delivery" and "التوصيل" meets "توصيل".
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from app.vectors.lexical import tokenize

_STOP_TEXT = """
a an the and or but if then so of to in on at by for from with without about into over under
is are was were be been being am do does did done have has had having can could will would
shall should may might must i me my we our you your he she it its they them their this that
these those there here what which who whom whose when where why how not no yes any all some
each every more most other such only own same than too very just also as up out off again
please tell know want need get got let like hi hello hey thanks thank ok okay much many
el la los las un una unos unas y o pero si de del al a en con sin por para sobre es son
era fue ser estar está están hay que qué cual cuál cuáles quien quién como cómo cuando
cuándo donde dónde por qué se su sus lo le les me mi mis tu tus nos yo usted ustedes este
esta estos estas ese esa eso muy más menos también ya no sí cuántos cuántas cuánto cuánta
le la les des du de et ou mais si en dans sur avec sans pour par est sont était être avoir
que qui quoi quel quelle quels quelles comment quand où pourquoi ce cet cette ces il elle ils
elles je tu nous vous mon ma mes ton ta tes son sa ses leur leurs ne pas plus très aussi
der die das den dem des ein eine einen einem eines und oder aber wenn dann von zu im in an auf
mit ohne für durch ist sind war waren sein haben hat hatte wer was wann wo warum wie welche
welcher welches ich du er sie es wir ihr mein dein sein unser euer nicht kein keine auch sehr
o os as um uma e ou mas se de do da dos das em no na nos nas com sem por para é são foi ser
ter que quem qual quais quando onde porque como eu você ele ela eles elas meu minha seu sua
il lo gli le un una uno e o ma se di da in con su per tra fra è sono era essere avere che chi
cosa quale quali quando dove perché come io tu lui lei noi voi loro mio tuo suo non
का के की को में से पर और या है हैं था थी थे हो होता होती होते ने कि जो क्या कौन कब कहाँ कहां
क्यों कैसे किस किसने किसको किसे कितना कितने कितनी यह वह ये वे इस उस इन उन एक भी तो ही
लिए साथ द्वारा गया गई गए करने करता करती किया कर रहा रही रहे
في من إلى على عن مع هو هي هم هن أن إن كان كانت يكون ما ماذا متى أين لماذا كيف كم أي
الذي التي الذين هذا هذه ذلك تلك و أو ثم قد لا لم لن بين عند كل بعض غير
"""
# words that are function words in one language and content in another ("comment" is French
# for "how", and the thing an English question about a comment deadline hinges on)
_AMBIGUOUS = frozenset({"comment", "die", "war", "sin", "son", "hat", "dove", "era", "mit"})
STOPWORDS = frozenset(_STOP_TEXT.split()) - _AMBIGUOUS
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")


def stem(token: str) -> str:
    """A crude, language-neutral stem: five leading letters of a long word, Arabic article off."""
    for prefix in _ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            token = token[len(prefix) :]
            break
    return token[:5] if len(token) > 5 else token


def content_terms(text: str) -> list[str]:
    """Stems of the words that carry the question's meaning, in order, without repeats."""
    seen: dict[str, None] = {}
    for token in tokenize(text):
        if token in STOPWORDS or (len(token) < 2 and not token.isdigit()):
            continue
        seen.setdefault(stem(token), None)
    return list(seen)


def stems(text: str) -> set[str]:
    """Every stem of `text` (stop words included: they are harmless on the covering side)."""
    return {stem(t) for t in tokenize(text)}


def coverage(terms: Iterable[str], covering: AbstractSet[str]) -> float:
    """Share of `terms` found in `covering` (1.0 when there are no terms to cover)."""
    wanted = list(terms)
    if not wanted:
        return 1.0
    return sum(t in covering for t in wanted) / len(wanted)


def weighted_coverage(
    terms: Iterable[str], covering: AbstractSet[str], weight: dict[str, float]
) -> float:
    """Like `coverage`, each term counted by its weight (rare terms count more)."""
    wanted = list(terms)
    total = sum(weight.get(t, 1.0) for t in wanted)
    if total <= 0:
        return 1.0
    return sum(weight.get(t, 1.0) for t in wanted if t in covering) / total
