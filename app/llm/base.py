"""The LLM port: one `complete` call (plus `vision` where the model can see) and its settings.

Adapters (anthropic, openai, llamacpp, extractive, fake) sit beside this module; the registry
picks one from `LLMSettings.provider`. Everything above `app/llm` depends only on these names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

Provider = Literal["anthropic", "openai", "llamacpp", "extractive", "fake"]
Role = Literal["user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One turn of the conversation history; the system prompt travels separately."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Image:
    """Raw image bytes and their MIME type (image/jpeg, image/png, image/webp, image/gif)."""

    data: bytes
    mime: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieval hit handed to the model call.

    Cloud and local models read passages through the system prompt the engine builds; the
    extractive adapter has no prompt reader, so the engine also passes them as `context=`.
    `kind="faq"` carries the curated `answer` (and the `question` it answers); `kind="chunk"`
    is a knowledge-base passage in `text`. `score` is the retrieval similarity in 0..1.
    """

    id: str
    text: str
    score: float
    kind: Literal["faq", "chunk"] = "chunk"
    question: str | None = None
    answer: str | None = None


@dataclass(frozen=True, slots=True)
class Completion:
    """A reply plus what the engine stores on the bot message (tokens, latency, cost).

    `confidence` and `sources` are set only by adapters that know them without a model
    (extractive): the engine then skips the secondary confidence prompt. `truncated`: the
    model stopped because it hit `max_tokens`, not because it had finished.
    """

    text: str
    input_tokens: int
    output_tokens: int
    model: str
    provider: str
    latency_ms: float
    cost_usd: float | None = None
    confidence: float | None = None
    sources: tuple[str, ...] = ()
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class ModelProfile:
    """What a local model can read quickly: the engine sizes its prompt by it."""

    context_window: int  # tokens the model reads at most (trained window, capped by settings)
    parameters_b: float  # billions of parameters: prompt reading time grows with it


@dataclass(frozen=True, slots=True)
class LLMSettings:
    """How to reach one model; built per workspace from WorkspaceSettings + secrets."""

    provider: Provider = "extractive"
    model: str = ""
    api_key: str | None = field(default=None, repr=False)  # never in logs or reprs
    base_url: str | None = None
    # the SSRF guard's allow-list (app/net): every call goes through it, base URL or not
    ssrf_allow: tuple[str, ...] = ()
    temperature: float = 0.3
    max_tokens: int = 512
    timeout: float = 30.0
    max_retries: int = 2
    backoff_base: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 30.0
    vision: bool | None = None
    model_path: Path | None = None
    chat_format: str | None = None
    n_ctx: int = 4096
    n_threads: int | None = None  # llama.cpp threads for prompt and generation; None: half
    deadline_s: float | None = None  # a local reply is abandoned after this long
    idle_unload_s: float | None = None  # a local model's weights go after this long unused
    fake_replies: tuple[str, ...] = field(default_factory=tuple)
    fake_confidence: float = 0.9
    fake_profile: ModelProfile | None = None  # the fake acts as a local model of this size


@runtime_checkable
class LLM(Protocol):
    """A chat model. `vision` raises `LLMError` when `supports_vision` is False."""

    provider: str
    model: str
    supports_vision: bool

    @property
    def profile(self) -> ModelProfile | None:
        """Set by local models; None: no prompt sizing needed (read-only here, so an adapter
        may declare it as `None` or as a `ModelProfile`)."""

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        context: Sequence[Passage] = (),
    ) -> Completion: ...

    async def vision(
        self,
        images: Sequence[Image],
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int | None = None,
    ) -> Completion: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class Abandonable(Protocol):
    """An adapter whose running call can be given up when the app stops (llama.cpp: between
    two tokens). Its calls then raise `app.domain.Abandoned` instead of answering."""

    def abandon(self) -> None: ...
