"""The model layer: an `LLM` port, its adapters and the registry that picks one by settings."""

from app.llm import hub
from app.llm.base import LLM, ChatMessage, Completion, Image, LLMSettings, Passage, Provider
from app.llm.errors import LLMError, LLMUnavailable, MissingExtra
from app.llm.gguf_store import GgufStore, LocalModel
from app.llm.pricing import estimate_cost
from app.llm.registry import build_llm

__all__ = [
    "LLM",
    "ChatMessage",
    "Completion",
    "GgufStore",
    "Image",
    "LLMError",
    "LLMSettings",
    "LLMUnavailable",
    "LocalModel",
    "MissingExtra",
    "Passage",
    "Provider",
    "build_llm",
    "estimate_cost",
    "hub",
]
