"""A small ONNX model writer: enough protobuf to describe one inference graph.

The `onnx` package (and torch's exporter) would be a new dependency, and torch is what the lean
runtime leaves out, so the e5 graph (app/embeddings/e5_export.py) is written directly in
ONNX's protobuf wire format. Only the fields ONNX Runtime needs are written; field numbers are
those of onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
ValueInfoProto).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

# TensorProto.DataType
FLOAT, UINT8, INT8, INT32, INT64, FLOAT16 = 1, 2, 3, 6, 7, 10
_DTYPES = {
    np.dtype(np.float32): FLOAT,
    np.dtype(np.uint8): UINT8,
    np.dtype(np.int8): INT8,
    np.dtype(np.int32): INT32,
    np.dtype(np.int64): INT64,
    np.dtype(np.float16): FLOAT16,
}
# AttributeProto.AttributeType
_A_FLOAT, _A_INT, _A_STRING, _A_INTS = 1, 2, 3, 7

Attr = float | int | str | Sequence[int]
_PAGE = 65536  # external data offsets: a multiple of any page / mapping granularity


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int64s: two's complement, ten bytes
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _int(num: int, value: int) -> bytes:
    return _varint(num << 3) + _varint(value)


def _bytes(num: int, value: bytes | str) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return _varint(num << 3 | 2) + _varint(len(raw)) + raw


def _attribute(name: str, value: Attr) -> bytes:
    out = _bytes(1, name)
    if isinstance(value, float):
        return out + _varint(2 << 3 | 5) + struct.pack("<f", value) + _int(20, _A_FLOAT)
    if isinstance(value, int):
        return out + _int(3, value) + _int(20, _A_INT)
    if isinstance(value, str):
        return out + _bytes(4, value) + _int(20, _A_STRING)
    return out + b"".join(_int(8, v) for v in value) + _int(20, _A_INTS)


def _tensor(name: str, array: np.ndarray) -> bytes:
    dims = b"".join(_int(1, d) for d in array.shape)
    data = np.ascontiguousarray(array).tobytes()  # little-endian on every supported host
    return dims + _int(2, _DTYPES[array.dtype]) + _bytes(8, name) + _bytes(9, data)


def _external_tensor(name: str, array: np.ndarray, location: str, offset: int) -> bytes:
    """A TensorProto whose bytes live in `location` (data_location EXTERNAL): ONNX Runtime
    maps that file instead of copying it, so only the rows a Gather touches become resident."""
    dims = b"".join(_int(1, d) for d in array.shape)
    entries = {"location": location, "offset": str(offset), "length": str(array.nbytes)}
    external = b"".join(_bytes(13, _bytes(1, k) + _bytes(2, v)) for k, v in entries.items())
    return dims + _int(2, _DTYPES[array.dtype]) + _bytes(8, name) + external + _int(14, 1)


def _value_info(name: str, elem_type: int, shape: Sequence[int | str]) -> bytes:
    dims = b"".join(_bytes(1, _int(1, d) if isinstance(d, int) else _bytes(2, d)) for d in shape)
    tensor_type = _int(1, elem_type) + _bytes(2, dims)
    return _bytes(1, name) + _bytes(2, _bytes(1, tensor_type))


@dataclass
class Graph:
    """Nodes and initializers in order; `serialize` gives the bytes of a ModelProto."""

    name: str
    nodes: list[bytes] = field(default_factory=list)
    initializers: list[bytes] = field(default_factory=list)
    inputs: list[bytes] = field(default_factory=list)
    outputs: list[bytes] = field(default_factory=list)
    external: list[tuple[str, np.ndarray]] = field(default_factory=list)
    _count: int = 0

    def input(self, name: str, elem_type: int, shape: Sequence[int | str]) -> str:
        self.inputs.append(_value_info(name, elem_type, shape))
        return name

    def output(self, name: str, elem_type: int, shape: Sequence[int | str]) -> None:
        self.outputs.append(_value_info(name, elem_type, shape))

    def const(self, name: str, array: np.ndarray, *, external: bool = False) -> str:
        """An initializer; `external` ones go to the data file when `serialize` is given one."""
        if external:
            self.external.append((name, np.ascontiguousarray(array)))
        else:
            self.initializers.append(_tensor(name, array))
        return name

    def op(
        self,
        op_type: str,
        inputs: Sequence[str],
        *,
        outputs: int | Sequence[str] = 1,
        domain: str = "",
        **attrs: Attr,
    ) -> str:
        """Add a node; returns its (first) output name. An empty input name skips an input."""
        self._count += 1
        if isinstance(outputs, int):
            outputs = [f"{op_type.lower()}_{self._count}_{i}" for i in range(outputs)]
        node = b"".join(_bytes(1, i) for i in inputs)
        node += b"".join(_bytes(2, o) for o in outputs)
        node += _bytes(3, f"n{self._count}") + _bytes(4, op_type)
        node += b"".join(_bytes(5, _attribute(k, v)) for k, v in attrs.items())
        if domain:
            node += _bytes(7, domain)
        self.nodes.append(node)
        return outputs[0]

    def ops(self, op_type: str, inputs: Sequence[str], n: int, **attrs: Attr) -> list[str]:
        """A node with `n` outputs (Split)."""
        names = [f"{op_type.lower()}_{self._count + 1}_{i}" for i in range(n)]
        self.op(op_type, inputs, outputs=names, domain="", **attrs)
        return names

    def serialize(
        self, opsets: dict[str, int], ir_version: int = 8, data_file: str | None = None
    ) -> tuple[bytes, bytes]:
        """(model, data): with `data_file`, external initializers are written to `data`
        (page-aligned, to be saved under that name beside the model); without, inline."""
        inits = list(self.initializers)
        data = bytearray()
        for name, array in self.external:
            if data_file is None:
                inits.append(_tensor(name, array))
                continue
            data.extend(b"\0" * (-len(data) % _PAGE))
            inits.append(_external_tensor(name, array, data_file, len(data)))
            data.extend(array.tobytes())
        graph = b"".join(_bytes(1, n) for n in self.nodes) + _bytes(2, self.name)
        graph += b"".join(_bytes(5, t) for t in inits)
        graph += b"".join(_bytes(11, v) for v in self.inputs)
        graph += b"".join(_bytes(12, v) for v in self.outputs)
        model = _int(1, ir_version) + _bytes(2, "aimywhatsapp")
        model += b"".join(
            _bytes(8, (_bytes(1, d) if d else b"") + _int(2, v)) for d, v in opsets.items()
        )
        return model + _bytes(7, graph), bytes(data)
