"""The recommended GGUF chat models (one click in the dashboard) and how each family samples.

Every entry is an instruction-tuned model in a 4-bit quantisation small enough for a laptop or
a small server without a GPU, from a Hugging Face repository anyone can download without a
token. Where the checksum and exact size could be established from public catalogs (cited per
entry in `source`), they are here and a download must match them; where not, the hub's own LFS
metadata for the revision being downloaded supplies them (`app/llm/hub.py`), and the entry
says so. Downloads are pinned to the commit the hub reports at that moment, so the file that
is verified is the file that is fetched.

Sampling: small models loop (the review saw a 270M model repeat one sentence for 881 tokens),
so every family gets a repetition penalty and a temperature for grounded answers rather than
the model card's creative-chat default; stop tokens end the turn at the template's marker.
"""

from __future__ import annotations

from dataclasses import dataclass

HUB_URL = "https://huggingface.co"


@dataclass(frozen=True, slots=True)
class Family:
    """Sampling and chat-template notes shared by every model of one architecture."""

    key: str  # GGUF `general.architecture`
    temperature: float
    top_p: float
    top_k: int
    min_p: float
    repeat_penalty: float
    stop: tuple[str, ...]
    chat_format: str  # llama-cpp-python's built-in template when the GGUF carries none
    system_role: bool  # False: the template has no system turn (folded into the first user turn)
    note: str


FAMILIES: dict[str, Family] = {
    f.key: f
    for f in (
        Family(
            "gemma3", temperature=0.3, top_p=0.95, top_k=64, min_p=0.05, repeat_penalty=1.15,
            stop=("<end_of_turn>",), chat_format="gemma", system_role=False,
            note="Google suggests temperature 1.0 for open chat; 0.3 keeps answers on the "
            "passages. No system turn: the system prompt opens the first user turn.",
        ),
        Family(
            "qwen2", temperature=0.4, top_p=0.8, top_k=20, min_p=0.05, repeat_penalty=1.1,
            stop=("<|im_end|>", "<|endoftext|>"), chat_format="chatml", system_role=True,
            note="ChatML template (<|im_start|>role … <|im_end|>); Qwen's generation config "
            "uses top_p 0.8, top_k 20, repetition penalty 1.05 — raised a little for 0.5B.",
        ),
        Family(
            "llama", temperature=0.4, top_p=0.9, top_k=40, min_p=0.05, repeat_penalty=1.1,
            stop=("<|eot_id|>",), chat_format="llama-3", system_role=True,
            note="Llama 3 header template (<|start_header_id|>…<|eot_id|>); Meta's generation "
            "config uses top_p 0.9.",
        ),
    )
}  # fmt: skip
# Any other architecture (an imported file): conservative settings, the GGUF's own template.
GENERIC = Family(
    "generic", temperature=0.4, top_p=0.9, top_k=40, min_p=0.05, repeat_penalty=1.1,
    stop=(), chat_format="chatml", system_role=True,
    note="Unknown family: the file's own chat template, a repetition penalty against loops.",
)  # fmt: skip


def family_of(architecture: str | None) -> Family:
    """The family of a GGUF `general.architecture` (gemma2/gemma3 → gemma3 settings, …)."""
    arch = (architecture or "").lower()
    if arch.startswith("gemma"):
        return FAMILIES["gemma3"]
    if arch.startswith("qwen"):
        return FAMILIES["qwen2"]
    if arch.startswith("llama"):
        return FAMILIES["llama"]
    return GENERIC


@dataclass(frozen=True, slots=True)
class CatalogModel:
    key: str
    name: str
    family: str
    repo: str  # Hugging Face repository id
    file: str  # the GGUF file in it (also its name in the models folder)
    parameters_b: float  # billions of parameters (prefill cost, context sizing)
    approx_bytes: int  # shown before the download; `size_bytes` when exact
    ram_gb: float  # weights + a 4k-token context + runtime, rounded up
    licence: str
    licence_url: str
    source: str  # where `sha256`/`size_bytes` come from ("hub" = read at download time)
    commercial: bool = True  # False: the licence forbids commercial use
    sha256: str | None = None
    size_bytes: int | None = None
    revision: str | None = None  # a commit; None = the commit `main` points at when downloading
    note: str = ""

    @property
    def download_bytes(self) -> int:
        return self.size_bytes or self.approx_bytes


GEMMA_TERMS = "https://ai.google.dev/gemma/terms"
LLAMA_32 = "https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/LICENSE"
LOCALAI = "LocalAI model gallery (github.com/mudler/LocalAI gallery/index.yaml"

CATALOG: dict[str, CatalogModel] = {
    m.key: m
    for m in (
        CatalogModel(
            "gemma-3-270m-it", "Gemma 3 270M Instruct", "gemma3",
            "ggml-org/gemma-3-270m-it-qat-GGUF", "gemma-3-270m-it-qat-Q4_0.gguf",
            parameters_b=0.27, approx_bytes=241_000_000, ram_gb=0.6,
            licence="Gemma Terms of Use", licence_url=GEMMA_TERMS,
            sha256="3626e245220ca4a1c5911eb4010b3ecb7bdbf5bc53c79403c21355354d1e2dc6",
            source=f"sha256: {LOCALAI}, entry gemma-3-270m-it-qat); size: hub",
            note="Fastest; answers short FAQ questions, often wrong on anything harder.",
        ),
        CatalogModel(
            "qwen2.5-0.5b-instruct", "Qwen2.5 0.5B Instruct", "qwen2",
            "bartowski/Qwen2.5-0.5B-Instruct-GGUF", "Qwen2.5-0.5B-Instruct-Q4_K_M.gguf",
            parameters_b=0.49, approx_bytes=398_000_000, ram_gb=0.9,
            licence="Apache-2.0", licence_url="https://www.apache.org/licenses/LICENSE-2.0",
            sha256="6eb923e7d26e9cea28811e1a8e852009b21242fb157b26149d3b188f3a8c8653",
            source=f"sha256: {LOCALAI} commit 052af98, 2024-09-20); size: hub",
            note="Small and multilingual (29+ languages); fine for simple FAQ answers.",
        ),
        CatalogModel(
            "gemma-3-1b-it", "Gemma 3 1B Instruct", "gemma3",
            "ggml-org/gemma-3-1b-it-GGUF", "gemma-3-1b-it-Q4_K_M.gguf",
            parameters_b=1.0, approx_bytes=806_000_000, ram_gb=1.4,
            licence="Gemma Terms of Use", licence_url=GEMMA_TERMS,
            sha256="8ccc5cd1f1b3602548715ae25a66ed73fd5dc68a210412eea643eb20eb75a135",
            source=f"sha256: {LOCALAI}, entry gemma-3-1b-it); size: hub",
            note="Good English; other languages are weaker than Qwen's.",
        ),
        CatalogModel(
            "llama-3.2-1b-instruct", "Llama 3.2 1B Instruct", "llama",
            "bartowski/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q4_K_M.gguf",
            parameters_b=1.24, approx_bytes=807_694_464, ram_gb=1.5,
            licence="Llama 3.2 Community License", licence_url=LLAMA_32,
            sha256="6f85a640a97cf2bf5b8e764087b1e83da0fdb51d7c9fab7d0fece9385611df83",
            size_bytes=807_694_464,
            source=f"sha256: {LOCALAI}, same file mirrored in ggml-org/ultravox-v0_5-llama-3_2"
            "-1b-GGUF); sha256 and size also in a published llama-cpp-python benchmark",
            note="Built with Llama. Eight languages officially (en, de, fr, it, pt, hi, es, th).",
        ),
        CatalogModel(
            "qwen2.5-1.5b-instruct", "Qwen2.5 1.5B Instruct", "qwen2",
            "bartowski/Qwen2.5-1.5B-Instruct-GGUF", "Qwen2.5-1.5B-Instruct-Q4_K_M.gguf",
            parameters_b=1.54, approx_bytes=986_048_768, ram_gb=1.8,
            licence="Apache-2.0", licence_url="https://www.apache.org/licenses/LICENSE-2.0",
            sha256="1adf0b11065d8ad2e8123ea110d1ec956dab4ab038eab665614adba04b6c3370",
            size_bytes=986_048_768,
            source=f"sha256: {LOCALAI} commit 052af98, 2024-09-20); size: an iOS app's "
            "catalog that checks the exact Content-Length",
            note="The best small all-rounder here, multilingual; a good default on 4+ cores.",
        ),
        CatalogModel(
            "llama-3.2-3b-instruct", "Llama 3.2 3B Instruct", "llama",
            "hugging-quants/Llama-3.2-3B-Instruct-Q4_K_M-GGUF", "llama-3.2-3b-instruct-q4_k_m.gguf",
            parameters_b=3.21, approx_bytes=2_019_373_920, ram_gb=3.2,
            licence="Llama 3.2 Community License", licence_url=LLAMA_32,
            sha256="c55a83bfb6396799337853ca69918a0b9bbb2917621078c34570bc17d20fd7a1",
            size_bytes=2_019_373_920,
            source=f"sha256: {LOCALAI}, entry llama-3.2-3b-instruct:q4_k_m); size: an iOS "
            "app's catalog that checks the exact Content-Length",
            note="Built with Llama. Clearly better answers; slow without 4+ fast cores.",
        ),
        CatalogModel(
            "qwen2.5-3b-instruct", "Qwen2.5 3B Instruct", "qwen2",
            "Qwen/Qwen2.5-3B-Instruct-GGUF", "qwen2.5-3b-instruct-q4_k_m.gguf",
            parameters_b=3.09, approx_bytes=2_100_000_000, ram_gb=3.2,
            licence="Qwen Research License (non-commercial)",
            licence_url="https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE",
            commercial=False, source="hub (no public checksum found: the hub's LFS sha256 of "
            "the pinned commit is used and checked)",
            note="Strong multilingual answers, but its licence forbids commercial use.",
        ),
        CatalogModel(
            "gemma-3-4b-it", "Gemma 3 4B Instruct", "gemma3",
            "lmstudio-community/gemma-3-4b-it-GGUF", "gemma-3-4b-it-Q4_K_M.gguf",
            parameters_b=3.88, approx_bytes=2_490_000_000, ram_gb=4.0,
            licence="Gemma Terms of Use", licence_url=GEMMA_TERMS,
            sha256="be49949e48422e4547b00af14179a193d3777eea7fbbd7d6e1b0861304628a01",
            source=f"sha256: {LOCALAI}, entry gemma-3-4b-it); size: hub",
            note="The best answers here (140+ languages); needs a fast 4–8 core machine.",
        ),
    )
}  # fmt: skip


def entry_for_file(file_name: str) -> CatalogModel | None:
    """The catalog entry a models-folder file came from (matched by file name)."""
    return next((m for m in CATALOG.values() if m.file == file_name), None)
