"""Bodies of `/settings/models`: import a GGUF file from a path, or download one by URL."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.schemas.base import Body

Url = Annotated[str, msgspec.Meta(min_length=8, max_length=2000)]
FileName = Annotated[str, msgspec.Meta(min_length=6, max_length=200)]


class ImportModelBody(Body):
    path: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
    name: FileName | None = None


class DownloadModelBody(Body):
    url: Url
    name: FileName | None = None
    sha256: Annotated[str, msgspec.Meta(pattern="^[0-9a-fA-F]{64}$")] | None = None
