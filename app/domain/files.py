"""Where a stored media file is. Rows name it `media/<workspace>/<file>`: relative to the media
folder, never absolute, so a restored, moved or re-mounted install (settings may put the folder
outside the data dir: STORAGE_PATH) still finds its files."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

MEDIA_PREFIX = "media/"


def media_url(relative: PurePosixPath | Path) -> str:
    """The row's name for a file at `relative` (`<workspace>/<file>`) inside the media folder."""
    return f"{MEDIA_PREFIX}{relative.as_posix()}"


def media_file(media_dir: Path, url: str) -> Path:
    """The file a row's `media_url` names, inside `media_dir` (unchecked: callers that serve
    or delete files check it stays inside the workspace's folder)."""
    return media_dir / url.removeprefix(MEDIA_PREFIX)
