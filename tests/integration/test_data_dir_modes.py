"""Issue 13.5: the data dir held the database 0644 and media/, kb/ 0755 — readable by every
account on the machine. Everything the app creates there is now 0600 (files) / 0700 (dirs)."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

from tests.integration.api.test_attachments import png
from tests.integration.bots import Bot, eventually


def _loose(root: Path) -> list[str]:
    """Paths under `root` (and root itself) that group or others may read, write or enter."""
    found = []
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            found.append(f"{oct(stat.S_IMODE(path.stat().st_mode))} {path.relative_to(root)}")
    return found


async def test_everything_in_the_data_dir_is_private(bot: Bot, tmp_path: Path) -> None:
    settings = bot.api.container.settings
    data = settings.data_dir
    kb = (await bot.get("/knowledge-bases"))[0]["id"]
    r = await bot.send(
        "POST",
        f"/knowledge-bases/{kb}/documents",
        files={"file": ("prices.txt", b"Coffee costs three euros.", "text/plain")},
    )
    assert r.status_code == 202, r.text
    image = {"base64": base64.b64encode(png()).decode(), "mimeType": "image/png"}
    await bot.simulate("+4917600000001", media=image)

    async def stored() -> bool:
        files = [p for p in (data / "media").rglob("*") if p.is_file()]
        return bool(files)

    await eventually(stored)
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 64)
    os.chmod(model, 0o644)
    await bot.api.container.ai.models.gguf.import_file(model)
    for folder in ("media", "kb", "models"):
        assert (data / folder).is_dir(), folder
    assert (data / "aimywhatsapp.db").is_file()
    assert _loose(data) == []
