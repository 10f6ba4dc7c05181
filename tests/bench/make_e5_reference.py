"""Writes app/embeddings/e5_reference.json: vectors of a few texts from the torch e5 engine.

Every ONNX export must reproduce them before it is used (app/embeddings/e5_cache.py). They were
computed once by the engine that was the default before the lean runtime (torch, bf16 on this
CPU; `--precision fp32` for a CPU without native bf16 — the two agree to cosine 0.9999):

    cd <repo> && python -m tests.bench.make_e5_reference [--out app/embeddings/e5_reference.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
from pathlib import Path

PASSAGES = [
    "Refunds are possible within 30 days of delivery; keep the receipt.",
    "La devolución es posible durante 30 días después de la entrega.",
    "डिलीवरी के 30 दिनों के भीतर धनवापसी संभव है, रसीद रखें।",
    "يمكن استرداد المبلغ خلال 30 يومًا من التسليم، احتفظ بالإيصال.",
    "Ünïcode   ﬁ ligatures…   and  runs of   spaces",
    " ".join(
        f"Section {i}: orders ship within two working days; returns need the original box."
        for i in range(10)
    ),
]
QUERIES = ["how long do I have to return it?", "रिफंड कितने दिनों में?", "¿cuánto cuesta el envío?"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="app/embeddings/e5_reference.json")
    ap.add_argument("--precision", default="auto")
    args = ap.parse_args()
    from app.embeddings.e5 import E5SmallEmbeddings
    from app.embeddings.e5_file import bundled_path

    model = E5SmallEmbeddings(precision=args.precision)
    weights = bundled_path()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    doc = {
        "about": "vectors of app/embeddings/e5.py (torch); ONNX exports must match them",
        "engine": f"torch-{model.precision} at {commit}",
        "weights": {
            "file": weights.name,
            "bytes": weights.stat().st_size,
            "sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
        },
        "min_cosine": 0.999,
        "passages": [
            {"text": t, "vector": [round(x, 6) for x in v]}
            for t, v in zip(PASSAGES, model.embed_documents(PASSAGES), strict=True)
        ],
        "queries": [
            {"text": q, "vector": [round(x, 6) for x in model.embed_query(q)]} for q in QUERIES
        ],
    }
    Path(args.out).write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({doc['engine']})")


if __name__ == "__main__":
    main()
