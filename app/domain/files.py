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


def owned_media_file(media_dir: Path, workspace_id: str, url: str | None) -> Path | None:
    """The file `url` names if it lies inside the workspace's own folder, else None: what
    code that reads or deletes files by a row's value uses, so a bad value in the database
    can never reach another workspace's file or anything outside the media folder."""
    if not url or not url.startswith(MEDIA_PREFIX):
        return None
    try:
        folder = (media_dir / workspace_id).resolve()
        path = media_file(media_dir, url).resolve()
    except (OSError, ValueError):  # a NUL byte, a symlink loop
        return None
    return path if path.is_relative_to(folder) and path != folder else None
