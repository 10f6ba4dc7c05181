"""A deterministic model for tests and demos, chosen by `provider="fake"` like any adapter.

Script: `fake_replies` are returned in turn (cycling); without a script it echoes the last user
message. It answers the engine's confidence prompt with `fake_confidence` as JSON. A scripted
reply of `"!unavailable"` or `"!error"` raises, so the holding-reply path is testable too;
`"!cut:text"` answers `text` as if it hit `max_tokens`. With `fake_profile` it presents itself
as a local model of that size (the engine then sizes its prompt).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count

from app.llm.base import ChatMessage, Completion, Image, LLMSettings, Passage
from app.llm.errors import LLMError, LLMUnavailable

CONFIDENCE_MARKER = '{"confidence"'
CUT = "!cut:"


@dataclass(frozen=True, slots=True)
class FakeCall:
    """What the engine asked for, kept for assertions."""

    messages: tuple[ChatMessage, ...]
    system: str | None
    context: tuple[Passage, ...] = ()
    images: tuple[Image, ...] = field(default_factory=tuple)
    max_tokens: int | None = None


class FakeLLM:
    provider = "fake"
    supports_vision = True

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self.model = settings.model or "fake-1"
        self.profile = settings.fake_profile
        self.calls: list[FakeCall] = []
        self._turn = count()

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        context: Sequence[Passage] = (),
    ) -> Completion:
        self.calls.append(FakeCall(tuple(messages), system, tuple(context), (), max_tokens))
        last = next((m.content for m in reversed(messages) if m.role == "user"), "")
        if CONFIDENCE_MARKER in last:
            reply = json.dumps({"confidence": self.settings.fake_confidence, "reason": "fake"})
            return self._completion(reply, messages, system)
        return self._completion(self._scripted(f"echo: {last}"), messages, system)

    async def vision(
        self,
        images: Sequence[Image],
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int | None = None,
    ) -> Completion:
        message = ChatMessage("user", prompt)
        self.calls.append(FakeCall((message,), system, (), tuple(images)))
        reply = self._scripted(f"an image ({len(images)} attached)")
        return self._completion(reply, [message], system)

    async def aclose(self) -> None:
        return None

    def _scripted(self, default: str) -> str:
        script = self.settings.fake_replies
        if not script:
            return default
        reply = script[next(self._turn) % len(script)]
        if reply == "!unavailable":
            raise LLMUnavailable("fake provider down", attempts=self.settings.max_retries + 1)
        if reply == "!error":
            raise LLMError("fake provider rejected the request")
        return reply

    def _completion(
        self, text: str, messages: Sequence[ChatMessage], system: str | None
    ) -> Completion:
        words_in = sum(len(m.content.split()) for m in messages) + len((system or "").split())
        cut = text.startswith(CUT)
        text = text.removeprefix(CUT)
        return Completion(
            text=text,
            input_tokens=words_in,
            output_tokens=len(text.split()),
            model=self.model,
            provider=self.provider,
            latency_ms=0.0,
            cost_usd=0.0,
            truncated=cut,
        )
