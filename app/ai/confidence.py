"""The seed's secondary confidence prompt (§8), given the passages it judges, and a forgiving
parser for its JSON reply.

The seed's prompt asks "was the answer grounded in the provided context?" — the context must
then be in the prompt, or the model judges fluency, not grounding. The passages the answer was
written from go first (numbered, as the answer saw them), then the seed's wording.

Models wrap JSON in prose or code fences, or return numbers as strings or percentages; the
parser digs out the first object with a `confidence` and clamps nothing silently: a value
outside 0..1 (other than an obvious percentage) is treated as unknown, not as certainty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

PROMPT = (
    'Given this question: "{question}"\n'
    'And this answer: "{answer}"\n'
    "Was the answer grounded in the provided context? \n"
    'Rate confidence 0.0-1.0. Reply with only a JSON: {{"confidence": 0.85, "reason": "..."}}'
)
_OBJECT = re.compile(r"\{[^{}]*\}", re.S)
_LOOSE = re.compile(r'"?confidence"?\s*[:=]\s*"?(-?\d+(?:\.\d+)?)', re.I)


NO_CONTEXT = "(no knowledge base passages were found for this question)"
MAX_CONTEXT_CHARS = 6000


def prompt(question: str, answer: str, context: Sequence[str] = ()) -> str:
    """The secondary prompt: the context passages, then the seed's question."""
    shown, used = [], 0
    for i, text in enumerate(context, start=1):
        piece = " ".join(text.split())[: MAX_CONTEXT_CHARS - used]
        if not piece:
            break
        shown.append(f"[{i}] {piece}")
        used += len(piece)
    block = "Context:\n" + ("\n".join(shown) if shown else NO_CONTEXT) + "\n\n"
    return block + PROMPT.format(
        question=question.replace('"', "'"), answer=answer.replace('"', "'")
    )


def _number(value: object) -> float | None:
    try:
        number = float(str(value).strip().rstrip("%"))
    except (TypeError, ValueError):
        return None
    if 1.0 < number <= 100.0 and str(value).strip().endswith("%"):
        number /= 100.0
    return number if 0.0 <= number <= 1.0 else None


def parse(text: str) -> tuple[float | None, str | None]:
    """(confidence in 0..1 or None when unusable, reason)."""
    for match in _OBJECT.finditer(text or ""):
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and "confidence" in data:
            reason = data.get("reason")
            return _number(data["confidence"]), str(reason) if reason is not None else None
    loose = _LOOSE.search(text or "")
    return (_number(loose.group(1)), None) if loose else (None, None)
