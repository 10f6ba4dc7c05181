"""Whisper models on disk: the built-in tiny.en, downloads from a (fake) hub, deletion."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain import Conflict, Invalid, NotFound
from app.net.errors import FetchError
from app.speech import SpeechSettings, build_transcriber
from app.speech.whisper_store import WhisperModelStore
from tests.fakes.voice import voice_note
from tests.fakes.whisper_hub import Hub, copy_dir_size, whisper_hub


@pytest.fixture
def hub() -> Iterator[Hub]:
    with whisper_hub() as hub:
        yield hub


@pytest.fixture
def store(tmp_path: Path, hub: Hub) -> WhisperModelStore:
    return WhisperModelStore(tmp_path / "whisper", hub.url, allow=("127.0.0.1",))


def names(store: WhisperModelStore) -> list[str]:
    return [m.name for m in store.installed()]


async def test_download_installs_a_model_that_transcribes(store: WhisperModelStore) -> None:
    assert names(store) == ["tiny.en"] and store.installed()[0].builtin
    seen: list[tuple[int, int | None]] = []
    model = await store.download("tiny", lambda done, total: seen.append((done, total)))
    assert names(store) == ["tiny.en", "tiny"]
    assert model.path == store.path_of("tiny") and model.size_bytes == copy_dir_size(model.path)
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and seen[-1] == (model.size_bytes, model.size_bytes)
    assert not any(p.name.endswith(".part") for p in store.root.iterdir())
    transcriber = build_transcriber(SpeechSettings(model_dir=store.path_of("tiny")))
    heard = await transcriber.transcribe(voice_note("What are your opening hours?"), "audio/ogg")
    assert "opening hours" in heard.text.lower()


async def test_a_damaged_download_leaves_nothing(store: WhisperModelStore, hub: Hub) -> None:
    hub.broken.add("Systran/faster-whisper-base")
    with pytest.raises(Invalid, match="not a usable whisper model"):
        await store.download("base")
    hub.missing.add("Systran/faster-whisper-small")
    with pytest.raises(FetchError, match="HTTP 404"):
        await store.download("small")
    assert names(store) == ["tiny.en"] and not any(store.root.iterdir())


async def test_names_and_conflicts(store: WhisperModelStore) -> None:
    with pytest.raises(NotFound, match="unknown whisper model"):
        await store.download("../../etc")
    await store.download("tiny")
    with pytest.raises(Conflict):
        await store.download("tiny")
    with pytest.raises(Invalid, match="built-in"):
        store.delete("tiny.en")
    store.delete("tiny")
    with pytest.raises(NotFound):
        store.path_of("tiny")
    with pytest.raises(NotFound):
        store.delete("tiny")
    assert store.path_of(None) == store.installed()[0].path  # the built-in default


async def test_the_hub_must_be_public_unless_allowed(tmp_path: Path, hub: Hub) -> None:
    strict = WhisperModelStore(tmp_path / "whisper", hub.url)
    with pytest.raises(FetchError, match="non-public address"):
        await strict.download("tiny")
    assert hub.requests == [] and names(strict) == ["tiny.en"]
