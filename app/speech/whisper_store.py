"""Whisper models on disk: the packaged tiny.en, and catalog models downloaded on request into
`<data dir>/models/whisper/<name>/`.

A download writes into a hidden `.<name>.part` folder, then loads the result once with
faster-whisper (a truncated or wrong file fails here, not on a customer's voice note) and only
then renames it into place, so a half-finished model is never offered.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.domain import Conflict, Invalid, NotFound
from app.net import downloads
from app.net.errors import FetchError
from app.speech.catalog import BUILTIN, CATALOG, OPTIONAL_FILES, REQUIRED_FILES, file_url
from app.speech.faster_whisper import packaged_model_dir

_NAME = re.compile(r"^[\w][\w.\-]{0,63}$")


@dataclass(frozen=True, slots=True)
class InstalledModel:
    name: str
    path: Path
    size_bytes: int
    builtin: bool = False


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def _verify(folder: Path) -> None:
    """Load the model once; CTranslate2 and the tokenizer reject damaged files here."""
    from faster_whisper import WhisperModel

    try:
        WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=1)
    except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError, tokenizers its own
        raise Invalid(f"the downloaded files are not a usable whisper model: {exc}") from exc


class WhisperModelStore:
    def __init__(self, root: Path, base_url: str, allow: Iterable[str] = ()) -> None:
        self.root = root
        self.base_url = base_url
        self.allow = tuple(allow)

    def installed(self) -> list[InstalledModel]:
        """The built-in model first (when its package is installed), then the folder's models."""
        found: list[InstalledModel] = []
        if (builtin := packaged_model_dir()) is not None:
            found.append(InstalledModel(BUILTIN, builtin, _size(builtin), builtin=True))
        if self.root.is_dir():
            for folder in sorted(self.root.iterdir()):
                if _NAME.fullmatch(folder.name) and (folder / "model.bin").is_file():
                    found.append(InstalledModel(folder.name, folder, _size(folder)))
        return found

    def path_of(self, name: str | None) -> Path:
        """The model directory for a workspace's `speechModel` (None → the built-in one)."""
        for model in self.installed():
            if model.name == (name or BUILTIN):
                return model.path
        raise NotFound(f"whisper model {name or BUILTIN} is not installed")

    def delete(self, name: str) -> None:
        model = next((m for m in self.installed() if m.name == name), None)
        if model is None:
            raise NotFound(f"whisper model {name} is not installed")
        if model.builtin:
            raise Invalid("the built-in model ships with the app and can't be deleted")
        shutil.rmtree(model.path)

    async def download(
        self,
        name: str,
        progress: downloads.Progress | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> InstalledModel:
        """Fetch a catalog model's files from the hub; explicit user action only."""
        entry = CATALOG.get(name)
        if entry is None:
            raise NotFound(f"unknown whisper model {name!r}; choose one of {', '.join(CATALOG)}")
        target = self.root / name
        if target.exists():
            raise Conflict(f"whisper model {name} is already installed")
        part = self.root / f".{name}.part"
        await asyncio.to_thread(shutil.rmtree, part, True)
        await asyncio.to_thread(part.mkdir, parents=True)
        http = client or downloads.client(self.allow)
        estimate = entry.size_mb * 2**20
        done_before = 0

        def report(done: int, total: int | None) -> None:
            if progress is not None:
                grand = done_before + total if total else max(estimate, done_before + done)
                progress(done_before + done, grand)

        try:
            for file in (*OPTIONAL_FILES, *REQUIRED_FILES):  # model.bin, the big one, last
                url = file_url(self.base_url, entry.repo, file)
                try:
                    size, _ = await downloads.download_to(
                        http, url, part / file, allow=self.allow, progress=report
                    )
                except FetchError:
                    if file in OPTIONAL_FILES:
                        continue
                    raise
                done_before += size
            await asyncio.to_thread(_verify, part)
            await asyncio.to_thread(part.rename, target)
        finally:
            await asyncio.to_thread(shutil.rmtree, part, True)
            if client is None:
                await http.aclose()
        return InstalledModel(name, target, _size(target))
