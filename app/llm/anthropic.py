"""Claude through the official `anthropic` SDK (Messages API). `base_url` lets tests and
proxies stand in for api.anthropic.com; the SDK's own retries are off — ours apply.

Temperature is not sent: the anthropic SDK 2.x `messages.create` no longer takes it (current
Claude models fix their sampling), so the setting only applies to the other providers.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from typing import Any

import anthropic

from app.llm.base import ChatMessage, Completion, Image, LLMSettings, Passage
from app.llm.pricing import estimate_cost
from app.llm.retry import RetryPolicy, call_with_retries
from app.llm.sdk_errors import MalformedResponse, classify_sdk_error
from app.llm.turns import alternate
from app.net import Egress

DEFAULT_MODEL = "claude-haiku-4-5"


class AnthropicLLM:
    """Claude; always vision-capable."""

    provider = "anthropic"
    supports_vision = True
    profile = None

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self.model = settings.model or DEFAULT_MODEL
        self._policy = RetryPolicy.from_settings(settings)
        self._client = anthropic.AsyncAnthropic(
            api_key=settings.api_key or "not-configured",
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=0,
            http_client=Egress(settings.ssrf_allow).sdk_client(),
        )

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        context: Sequence[Passage] = (),
    ) -> Completion:
        wire = [{"role": m.role, "content": m.content} for m in alternate(messages)]
        return await self._create(wire, system, max_tokens, temperature)

    async def vision(
        self,
        images: Sequence[Image],
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int | None = None,
    ) -> Completion:
        blocks: list[dict[str, Any]] = [
            {
                "type": "image",
                "source": {
                    "type": "base64",
                    "media_type": image.mime,
                    "data": base64.b64encode(image.data).decode("ascii"),
                },
            }
            for image in images
        ]
        blocks.append({"type": "text", "text": prompt})
        return await self._create([{"role": "user", "content": blocks}], system, max_tokens, None)

    async def aclose(self) -> None:
        await self._client.close()

    async def _create(
        self,
        wire: list[dict[str, Any]],
        system: str | None,
        max_tokens: int | None,
        temperature: float | None,
    ) -> Completion:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": wire,
            "max_tokens": max_tokens or self.settings.max_tokens,
        }
        if system:
            kwargs["system"] = system
        started = time.perf_counter()

        async def attempt() -> tuple[str, int, int, str, bool]:
            response = await self._client.messages.create(**kwargs)
            try:
                text = "".join(b.text for b in response.content if b.type == "text")
                usage = response.usage
                cut = response.stop_reason == "max_tokens"
                return text, usage.input_tokens, usage.output_tokens, response.model, cut
            except (AttributeError, TypeError) as exc:
                raise MalformedResponse(f"unexpected Messages API body: {exc}") from exc

        text, tokens_in, tokens_out, model, cut = await call_with_retries(
            attempt, self._policy, lambda exc: classify_sdk_error(exc, anthropic)
        )
        return Completion(
            text=text.strip(),
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            model=model or self.model,
            provider=self.provider,
            latency_ms=(time.perf_counter() - started) * 1000,
            cost_usd=estimate_cost(self.provider, model or self.model, tokens_in, tokens_out),
            truncated=cut,
        )
