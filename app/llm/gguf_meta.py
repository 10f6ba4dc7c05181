"""A few facts from a GGUF file's header, read without loading the model: its architecture
(which sampling family), its trained context window (how large a prompt may be) and its size
label (how much prompt it can read quickly).

The header is a list of typed key/values (spec: github.com/ggml-org/ggml/blob/master/docs/
gguf.md). The `general.*` and `<arch>.*` keys come before the tokenizer's large arrays, so
reading stops as soon as the wanted keys are found: a few KB, not the vocabulary.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

MAGIC = b"GGUF"
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q",
            11: "<q", 12: "<d"}  # fmt: skip
STRING, ARRAY = 8, 9
MAX_KEYS = 4096  # a real header has ~40; more means a corrupt file
BYTES_PER_PARAMETER = 0.6  # a Q4_K_M file, when the header has no size label
_LABEL = re.compile(r"^(?:\d+x)?(\d+(?:\.\d+)?)([KMBT])$", re.I)
_SCALE = {"K": 1e-6, "M": 1e-3, "B": 1.0, "T": 1e3}


class NotGguf(ValueError):
    """The file is not a GGUF model (or its header is damaged)."""


@dataclass(frozen=True, slots=True)
class GgufInfo:
    architecture: str | None
    name: str | None
    context_length: int | None  # the trained context window
    parameters_b: float  # from `general.size_label`, else estimated from the file size


def read(path: Path) -> GgufInfo:
    """The header facts of `path`; `NotGguf` when it is not a GGUF file."""
    with path.open("rb") as fh:
        values = _header(fh)
    arch = values.get("general.architecture")
    label = values.get("general.size_label")
    params = _parameters(label) if isinstance(label, str) else None
    if params is None:
        params = round(path.stat().st_size / BYTES_PER_PARAMETER / 1e9, 2)
    context = values.get(f"{arch}.context_length") if arch else None
    return GgufInfo(
        architecture=arch if isinstance(arch, str) else None,
        name=values.get("general.name") if isinstance(values.get("general.name"), str) else None,
        context_length=int(context) if isinstance(context, int) else None,
        parameters_b=params,
    )


def _parameters(label: str) -> float | None:
    """ "270M" → 0.27, "1.5B" → 1.5, "8x7B" → 7.0 (per expert; close enough for sizing)."""
    match = _LABEL.match(label.strip())
    if match is None:
        return None
    return round(float(match.group(1)) * _SCALE[match.group(2).upper()], 3)


def _header(fh: IO[bytes]) -> dict[str, Any]:
    if fh.read(4) != MAGIC:
        raise NotGguf("not a GGUF file")
    (version,) = _unpack(fh, "<I")
    count_format = "<I" if version == 1 else "<Q"
    _unpack(fh, count_format)  # tensor count
    (kv_count,) = _unpack(fh, count_format)
    if kv_count > MAX_KEYS:
        raise NotGguf("damaged GGUF header")
    values: dict[str, Any] = {}
    arch: str | None = None
    for _ in range(kv_count):
        key = _string(fh, count_format)
        (kind,) = _unpack(fh, "<I")
        values[key] = _value(fh, kind, count_format)
        if key == "general.architecture" and isinstance(values[key], str):
            arch = values[key]
        wanted = ("general.architecture", "general.size_label", f"{arch}.context_length")
        if arch and all(k in values for k in wanted):
            break
    return values


def _unpack(fh: IO[bytes], fmt: str) -> tuple[Any, ...]:
    size = struct.calcsize(fmt)
    data = fh.read(size)
    if len(data) != size:
        raise NotGguf("truncated GGUF header")
    return struct.unpack(fmt, data)


def _string(fh: IO[bytes], count_format: str) -> str:
    (length,) = _unpack(fh, count_format)
    if length > 1 << 24:
        raise NotGguf("damaged GGUF header")
    data = fh.read(length)
    if len(data) != length:
        raise NotGguf("truncated GGUF header")
    return data.decode("utf-8", "replace")


def _value(fh: IO[bytes], kind: int, count_format: str) -> Any:
    if kind in _SCALARS:
        return _unpack(fh, _SCALARS[kind])[0]
    if kind == STRING:
        return _string(fh, count_format)
    if kind == ARRAY:
        (item_kind,) = _unpack(fh, "<I")
        (count,) = _unpack(fh, count_format)
        if item_kind in _SCALARS:  # skipped, not decoded: only its length matters
            fh.seek(struct.calcsize(_SCALARS[item_kind]) * count, 1)
        else:
            for _ in range(count):
                _value(fh, item_kind, count_format)
        return None
    raise NotGguf(f"unknown GGUF value type {kind}")
