"""Where a stored media file is. Rows name it `media/<workspace>/<file>`: relative to the store
(a media folder or a bucket), never absolute, so a restored, moved or re-mounted install
(settings may put the folder outside the data dir: STORAGE_PATH; or in S3: AIMY_STORAGE=s3)
still finds its files. What follows `media/` is the file's key in `app.storage`."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

MEDIA_PREFIX = "media/"


def media_url(relative: PurePosixPath | Path | str) -> str:
    """The row's name for the file with key `relative` (`<workspace>/<file>`)."""
    key = relative if isinstance(relative, str) else relative.as_posix()
    return f"{MEDIA_PREFIX}{key}"


def media_file(media_dir: Path, url: str) -> Path:
    """The file a row's `media_url` names inside a local `media_dir` (unchecked: callers that
    serve or delete files go through `owned_key`)."""
    return media_dir / url.removeprefix(MEDIA_PREFIX)


def owned_key(workspace_id: str, url: str | None) -> str | None:
    """The storage key `url` names if it lies inside the workspace's own folder, else None:
    what code that reads or deletes files by a row's value uses, so a bad value in the
    database can never reach another workspace's file or anything outside the store. The
    rule is on the key's text (no `..`, `.` or empty part, the workspace first); the local
    store also refuses a key whose file resolves (symlinks) outside the workspace's folder."""
    if not url or not workspace_id or not url.startswith(MEDIA_PREFIX):
        return None
    key = url[len(MEDIA_PREFIX) :]
    parts = key.split("/")
    if "\x00" in key or "\\" in key or len(parts) < 2 or parts[0] != workspace_id:
        return None
    if any(p in ("", ".", "..") for p in parts):
        return None
    return key


def valid_key(key: str) -> bool:
    """A key the stores accept: `owned_key`'s rule, for the workspace the key names first."""
    return owned_key(key.split("/", 1)[0], media_url(key)) is not None


def owned_media_file(media_dir: Path, workspace_id: str, url: str | None) -> Path | None:
    """The local file `url` names if `owned_key` accepts it and it resolves inside the
    workspace's folder under `media_dir`, else None."""
    key = owned_key(workspace_id, url)
    return None if key is None else inside(media_dir, key)


def inside(media_dir: Path, key: str) -> Path | None:
    """`media_dir / key` if it resolves inside its workspace's folder (the key's first part),
    else None (a symlink out, a NUL byte, a loop)."""
    try:
        folder = (media_dir / key.split("/", 1)[0]).resolve()
        path = (media_dir / key).resolve()
    except (OSError, ValueError):
        return None
    return path if path.is_relative_to(folder) and path != folder else None
