"""OpenAI Chat Completions through the official `openai` SDK — and, with `base_url`, any
OpenAI-compatible server (Ollama, LM Studio, llama.cpp server, vLLM)."""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from typing import Any

import openai

from app.llm.base import ChatMessage, Completion, Image, LLMSettings, Passage
from app.llm.errors import LLMError
from app.llm.pricing import estimate_cost
from app.llm.retry import RetryPolicy, call_with_retries
from app.llm.sdk_errors import MalformedResponse, classify_sdk_error
from app.llm.turns import alternate
from app.net import Egress

DEFAULT_MODEL = "gpt-4o-mini"


class OpenAILLM:
    """GPT or a compatible server. Vision is assumed unless settings say the model is blind."""

    provider = "openai"
    profile = None

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self.model = settings.model or DEFAULT_MODEL
        self.supports_vision = True if settings.vision is None else settings.vision
        self._policy = RetryPolicy.from_settings(settings)
        # Local servers ignore the key, but the SDK refuses to start without one.
        self._client = openai.AsyncOpenAI(
            api_key=settings.api_key or "not-needed",
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
        wire: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
        wire += [{"role": m.role, "content": m.content} for m in alternate(messages)]
        return await self._create(wire, max_tokens, temperature)

    async def vision(
        self,
        images: Sequence[Image],
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int | None = None,
    ) -> Completion:
        if not self.supports_vision:
            raise LLMError(f"model {self.model} is configured without vision")
        parts: list[dict[str, Any]] = [{"type": "text", "text": prompt}]
        parts += [
            {
                "type": "image_url",
                "image_url": {
                    "url": f"data:{image.mime};base64,{base64.b64encode(image.data).decode()}"
                },
            }
            for image in images
        ]
        wire: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
        wire.append({"role": "user", "content": parts})
        return await self._create(wire, max_tokens, None)

    async def aclose(self) -> None:
        await self._client.close()

    async def _create(
        self, wire: list[dict[str, Any]], max_tokens: int | None, temperature: float | None
    ) -> Completion:
        limit = max_tokens or self.settings.max_tokens
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": wire,
            "temperature": self.settings.temperature if temperature is None else temperature,
        }
        # OpenAI's own API wants max_completion_tokens (reasoning models reject max_tokens);
        # compatible servers mostly know only max_tokens.
        kwargs["max_completion_tokens" if self.settings.base_url is None else "max_tokens"] = limit
        started = time.perf_counter()

        async def attempt() -> tuple[str, int, int, str, bool]:
            response = await self._client.chat.completions.create(**kwargs)
            try:
                choice = response.choices[0]
                text = choice.message.content or ""
                usage = response.usage
                tokens = (usage.prompt_tokens, usage.completion_tokens) if usage else (0, 0)
                cut = choice.finish_reason == "length"
                return text, tokens[0], tokens[1], response.model, cut
            except (AttributeError, IndexError, TypeError) as exc:
                raise MalformedResponse(f"unexpected Chat Completions body: {exc}") from exc

        text, tokens_in, tokens_out, model, cut = await call_with_retries(
            attempt, self._policy, lambda exc: classify_sdk_error(exc, openai)
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
