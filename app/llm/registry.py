"""Settings → adapter. Imports are lazy, so only the chosen SDK loads, and an adapter whose
package is an optional extra (llama-cpp-python) says exactly what to install."""

from __future__ import annotations

from app.llm.base import LLM, LLMSettings
from app.llm.errors import LLMError, MissingExtra


def build_llm(settings: LLMSettings) -> LLM:
    """The adapter for `settings.provider`; raises MissingExtra when its package is absent."""
    match settings.provider:
        case "anthropic":
            from app.llm.anthropic import AnthropicLLM

            return AnthropicLLM(settings)
        case "openai":
            from app.llm.openai import OpenAILLM

            return OpenAILLM(settings)
        case "llamacpp":
            try:
                from app.llm.llamacpp import LlamaCppLLM
            except ImportError as exc:
                raise MissingExtra("local", package="llama-cpp-python") from exc
            return LlamaCppLLM(settings)
        case "extractive":
            from app.llm.extractive import ExtractiveLLM

            return ExtractiveLLM(settings)
        case "fake":
            from app.llm.fake import FakeLLM

            return FakeLLM(settings)
        case other:
            raise LLMError(f"unknown LLM provider {other!r}")
