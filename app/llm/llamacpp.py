"""A local GGUF model in-process through llama-cpp-python (the optional `local` extra).

The model loads on first use, off the event loop, and its weights go again after
`idle_unload_s` without a call (app/idle_model.py: a running generation holds a lease, so the
model is never unloaded mid-reply; the next call loads it again). `Llama` is not thread-safe,
so every call takes one lock and runs in a worker thread: the dashboard stays responsive while
a reply is generated, and concurrent chats queue instead of corrupting the context.

Sampling follows the model's family (`app/llm/catalog.py`: repetition penalty, top-p/k, stop
tokens); a GGUF without a chat template gets its family's built-in one. llama.cpp checks an
abort callback between compute steps (prompt reading and every generated token), which this
adapter uses twice: a reply that runs past `deadline_s` is abandoned as an `LLMError` (the
engine escalates), and `abandon()` — called when the app stops — ends the running call and
every queued one with `Abandoned`, so shutdown never waits for a model.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import llama_cpp  # ImportError here becomes MissingExtra("local") in the registry

from app.domain import Abandoned
from app.idle_model import IdleModel
from app.llm import gguf_meta
from app.llm.base import ChatMessage, Completion, Image, LLMSettings, ModelProfile, Passage
from app.llm.catalog import Family, family_of
from app.llm.errors import LLMError
from app.llm.turns import alternate

T = TypeVar("T")
log = logging.getLogger(__name__)
ABORTED = "llama_decode returned 2"  # llama.cpp's code when the abort callback said stop


class LlamaCppLLM:
    provider = "llamacpp"
    supports_vision = False

    def __init__(self, settings: LLMSettings) -> None:
        if settings.model_path is None:
            raise LLMError("the llamacpp provider needs model_path (a .gguf file)")
        self.settings = settings
        self.model = settings.model or settings.model_path.name
        self._lock = threading.Lock()
        self.weights: IdleModel[llama_cpp.Llama] = IdleModel(
            self._open,
            idle_s=settings.idle_unload_s,
            name=f"llama.cpp {self.model}",
            close=lambda llama: llama.close(),
        )
        self._stopping = threading.Event()  # set once, by abandon(): the app is stopping
        self._closed = False  # released: a late call loads the weights for itself only
        self._deadline = 0.0  # monotonic time the running call must end by (0: none)
        self._abort = llama_cpp.ggml_abort_callback(self._should_abort)  # kept: C holds it
        info = _header(settings)
        self.family: Family = family_of(info.architecture if info else None)
        trained = info.context_length if info and info.context_length else settings.n_ctx
        self.profile = ModelProfile(
            context_window=min(settings.n_ctx, trained),
            parameters_b=info.parameters_b if info else 1.0,
        )

    def _should_abort(self, _data: object) -> bool:
        deadline = self._deadline
        return self._stopping.is_set() or (deadline > 0 and time.monotonic() > deadline)

    def _open(self) -> llama_cpp.Llama:
        """The weights read from disk (`self.weights` calls this when a call needs them)."""
        path = self.settings.model_path
        if path is None or not path.is_file():
            raise LLMError(f"model file not found: {path}")
        try:
            llama = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=self.profile.context_window,
                # None keeps llama.cpp's default of half the cores: measured on a busy 2-core
                # box, 2 threads decoded ~8x slower than 1 (spin-waiting threads starve).
                n_threads=self.settings.n_threads,
                n_threads_batch=self.settings.n_threads,  # prompt processing: same budget
                chat_format=self.settings.chat_format,
                verbose=False,
            )
        except ValueError as exc:  # llama.cpp's way of saying "not a model I can load"
            raise LLMError(f"cannot load {path.name}: {exc}") from exc
        if self.settings.chat_format is None and "tokenizer.chat_template" not in (
            llama.metadata or {}
        ):  # a base model or an old conversion: llama.cpp would guess "llama-2"
            llama.chat_format = self.family.chat_format
        llama_cpp.llama_set_abort_callback(llama._ctx.ctx, self._abort, None)
        return llama

    def _warm(self) -> None:
        with self.weights.use():
            pass  # loaded; the idle clock starts now

    async def load(self) -> None:
        """Warm up: load the weights now instead of on the first message."""
        await asyncio.to_thread(self._locked, self._warm)

    def _locked(self, fn: Callable[[], T]) -> T:
        with self._lock:
            return fn()

    @property
    def system_role(self) -> bool:
        if self.settings.chat_format is not None:
            return self.settings.chat_format != "gemma"
        return self.family.system_role

    def wire_messages(
        self, messages: Sequence[ChatMessage], system: str | None
    ) -> list[dict[str, str]]:
        wire = [{"role": m.role, "content": m.content} for m in alternate(messages)]
        if not system:
            return wire
        if not self.system_role:  # the system prompt opens the first user turn
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
        family = self.family

        def generate() -> dict[str, Any]:
            if self._stopping.is_set():  # queued behind a call that shutdown just ended
                raise Abandoned("the app is stopping")
            try:
                with self.weights.use() as llama:  # the lease: no idle unload mid-reply
                    return reply(llama)
            finally:
                if self._closed:  # a call that was queued when the model was released
                    self.weights.unload()

        def reply(llama: llama_cpp.Llama) -> dict[str, Any]:
            budget = self.settings.deadline_s
            self._deadline = time.monotonic() + budget if budget else 0.0
            try:
                done = llama.create_chat_completion(
                    messages=wire,  # type: ignore[arg-type]  # plain dicts of its TypedDicts' keys
                    max_tokens=limit,
                    temperature=temp,
                    top_p=family.top_p,
                    top_k=family.top_k,
                    min_p=family.min_p,
                    repeat_penalty=family.repeat_penalty,
                    stop=list(family.stop),
                )
                return cast("dict[str, Any]", done)  # not streamed: one response dict
            except ValueError as exc:  # e.g. the prompt does not fit the context window
                raise LLMError(f"local model rejected the request: {exc}") from exc
            except RuntimeError as exc:
                if ABORTED not in str(exc):
                    raise LLMError(f"local model failed: {exc}") from exc
                llama.reset()  # the half-read prompt must not be reused
                if self._stopping.is_set():
                    log.info("local model %s: generation abandoned (stopping)", self.model)
                    raise Abandoned("the app is stopping") from exc
                raise LLMError(f"the local model did not answer within {budget:g} s") from exc
            finally:
                self._deadline = 0.0

        started = time.perf_counter()
        result = await asyncio.to_thread(self._locked, generate)
        usage = result.get("usage") or {}
        choice = result["choices"][0]
        return Completion(
            text=(choice["message"].get("content") or "").strip(),
            input_tokens=int(usage.get("prompt_tokens", 0)),
            output_tokens=int(usage.get("completion_tokens", 0)),
            model=self.model,
            provider=self.provider,
            latency_ms=(time.perf_counter() - started) * 1000,
            cost_usd=0.0,
            truncated=choice.get("finish_reason") == "length",
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

    def abandon(self) -> None:
        """The app is stopping: end the running call between two tokens, refuse queued ones.
        Safe from any thread; takes effect within one compute step."""
        self._stopping.set()

    async def aclose(self) -> None:
        """Free the weights once the running call (if any) is done; the app's shutdown calls
        `abandon()` first, so then there is none."""

        def release() -> None:
            self._closed = True
            self.weights.unload()

        await asyncio.to_thread(self._locked, release)


def _header(settings: LLMSettings) -> gguf_meta.GgufInfo | None:
    """The GGUF header facts, or None when the file is missing or unreadable (the first call
    then reports it as an LLMError, where the user sees it)."""
    path = settings.model_path
    try:
        return gguf_meta.read(path) if path is not None and path.is_file() else None
    except (OSError, gguf_meta.NotGguf):
        return None
