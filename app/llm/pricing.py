"""Estimated cost of a call, from a small table of list prices (USD per million tokens).

Prices drift; this is an estimate for the dashboard, not billing. Unknown models → None;
models that run here (llamacpp, extractive, fake) cost nothing.
"""

from __future__ import annotations

# (input, output) USD per 1M tokens; keys are model-name prefixes, longest match wins.
PRICES: dict[str, tuple[float, float]] = {
    "claude-opus-4": (15.0, 75.0),
    "claude-sonnet-4": (3.0, 15.0),
    "claude-haiku-4": (1.0, 5.0),
    "claude-3-7-sonnet": (3.0, 15.0),
    "claude-3-5-sonnet": (3.0, 15.0),
    "claude-3-5-haiku": (0.8, 4.0),
    "claude-3-haiku": (0.25, 1.25),
    "claude-3-opus": (15.0, 75.0),
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-4o": (2.5, 10.0),
    "gpt-4.1-nano": (0.1, 0.4),
    "gpt-4.1-mini": (0.4, 1.6),
    "gpt-4.1": (2.0, 8.0),
    "gpt-5-nano": (0.05, 0.4),
    "gpt-5-mini": (0.25, 2.0),
    "gpt-5": (1.25, 10.0),
    "gpt-3.5-turbo": (0.5, 1.5),
    "whisper-1": (0.0, 0.0),
}

LOCAL_PROVIDERS = frozenset({"llamacpp", "extractive", "fake"})


def estimate_cost(provider: str, model: str, input_tokens: int, output_tokens: int) -> float | None:
    """USD estimate for one call, or None when the model's price is unknown."""
    if provider in LOCAL_PROVIDERS:
        return 0.0
    name = model.lower().rsplit("/", 1)[-1]
    matches = [prefix for prefix in PRICES if name.startswith(prefix)]
    if not matches:
        return None
    price_in, price_out = PRICES[max(matches, key=len)]
    return round((input_tokens * price_in + output_tokens * price_out) / 1_000_000, 8)
