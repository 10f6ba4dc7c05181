"""A local GGUF model in-process through llama-cpp-python (the optional `local` extra).

The model loads once, on first use, off the event loop. `Llama` is not thread-safe, so every
call takes one lock and runs in a worker thread: the dashboard stays responsive while a reply
is generated, and concurrent chats queue instead of corrupting the context.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import llama_cpp  # ImportError here becomes MissingExtra("local") in the registry

from app.llm.base import ChatMessage, Completion, Image, LLMSettings, Passage
from app.llm.errors import LLMError
from app.llm.turns import alternate

T = TypeVar("T")

# Chat templates without a system role: the system prompt is folded into the first user turn.
NO_SYSTEM_ROLE = frozenset({"gemma"})


class LlamaCppLLM:
    provider = "llamacpp"
    supports_vision = False

    def __init__(self, settings: LLMSettings) -> None:
        if settings.model_path is None:
            raise LLMError("the llamacpp provider needs model_path (a .gguf file)")
        self.settings = settings
        self.model = settings.model or settings.model_path.name
        self._lock = threading.Lock()
        self._llama: llama_cpp.Llama | None = None

    def _load(self) -> llama_cpp.Llama:
        """Caller holds the lock."""
        if self._llama is None:
            path = self.settings.model_path
            if path is None or not path.is_file():
                raise LLMError(f"model file not found: {path}")
            try:
                self._llama = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=self.settings.n_ctx,
                    # None keeps llama.cpp's default of half the cores: measured on a busy 2-core
                    # box, 2 threads decoded ~8x slower than 1 (spin-waiting threads starve).
                    n_threads=self.settings.n_threads,
                    n_threads_batch=self.settings.n_threads,  # prompt processing: same budget
                    chat_format=self.settings.chat_format,
                    verbose=False,
                )
            except ValueError as exc:  # llama.cpp's way of saying "not a model I can load"
                raise LLMError(f"cannot load {path.name}: {exc}") from exc
        return self._llama

    async def load(self) -> None:
        """Warm up: load the weights now instead of on the first message."""
        await asyncio.to_thread(self._locked, self._load)

    def _locked(self, fn: Callable[[], T]) -> T:
        with self._lock:
            return fn()

    def wire_messages(
        self, messages: Sequence[ChatMessage], system: str | None
    ) -> list[dict[str, str]]:
        wire = [{"role": m.role, "content": m.content} for m in alternate(messages)]
        if not system:
            return wire
        if self.settings.chat_format in NO_SYSTEM_ROLE:
            if wire and wire[0]["role"] == "user":
                wire[0] = {"role": "user", "content": f"{system}\n\n{wire[0]['content']}"}
            else:
                wire.insert(0, {"role": "user", "content": system})
            return wire
        return [{"role": "system", "content": system}, *wire]

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        context: Sequence[Passage] = (),
    ) -> Completion:
        wire = self.wire_messages(messages, system)
        limit = max_tokens or self.settings.max_tokens
        temp = self.settings.temperature if temperature is None else temperature

        def generate() -> dict[str, Any]:
            llama = self._load()
            try:
                done = llama.create_chat_completion(
                    messages=wire,  # type: ignore[arg-type]  # plain dicts of its TypedDicts' keys
                    max_tokens=limit,
                    temperature=temp,
                )
                return cast("dict[str, Any]", done)  # not streamed: one response dict
            except ValueError as exc:  # e.g. the prompt does not fit the context window
                raise LLMError(f"local model rejected the request: {exc}") from exc

        started = time.perf_counter()
        result = await asyncio.to_thread(self._locked, generate)
        usage = result.get("usage") or {}
        return Completion(
            text=(result["choices"][0]["message"].get("content") or "").strip(),
            input_tokens=int(usage.get("prompt_tokens", 0)),
            output_tokens=int(usage.get("completion_tokens", 0)),
            model=self.model,
            provider=self.provider,
            latency_ms=(time.perf_counter() - started) * 1000,
            cost_usd=0.0,
        )

    async def vision(
        self,
        images: Sequence[Image],
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int | None = None,
    ) -> Completion:
        raise LLMError("this local model cannot look at images")

    async def aclose(self) -> None:
        def release() -> None:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

        await asyncio.to_thread(self._locked, release)
