"""Body of `POST /settings/api-keys`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from app.schemas.base import Body


class ApiKeyCreateBody(Body):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    expires_at: datetime | None = None
