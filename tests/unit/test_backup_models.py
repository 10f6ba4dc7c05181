"""Backups leave the data dir's models/ out (README): GGUF and whisper downloads are fetched
again and the e5 ONNX export is rebuilt at first use — 68 MB per archive that is not data."""

from __future__ import annotations

from pathlib import Path

from app.backup.archive import _files
from app.settings import Settings


def test_models_folder_is_not_archived_but_the_rest_of_the_data_dir_is(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for rel in ("models/e5/x.onnx", "models/whisper/base/model.bin", "vectors/kb/t.lance",
                "config.toml", "kb/models/notes.txt"):  # fmt: skip
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_text("x")
    names = {p.relative_to(data).as_posix() for p in _files(data, Settings(data_dir=data))}
    assert names == {"vectors/kb/t.lance", "config.toml", "kb/models/notes.txt"}
