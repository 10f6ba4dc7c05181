"""Row → domain model mapping, the one place services turn piccolo dicts into Structs."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from app.domain import MAX_PAGE, Invalid

M = TypeVar("M", bound=msgspec.Struct)


def to_model(cls: type[M], row: dict[str, Any], **extra: Any) -> M:
    """Build `cls` from a snake_case row; unknown row keys are ignored, `extra` overrides."""
    fields = cls.__struct_fields__
    values = {f: row[f] for f in fields if f in row}
    values.update(extra)
    return cls(**values)


def page_bounds(page: int, page_size: int, max_size: int = 200) -> tuple[int, int]:
    """Clamp pagination; returns (limit, offset). A page past `MAX_PAGE` is refused: its
    offset could overflow the database's integer."""
    if page > MAX_PAGE:
        raise Invalid(f"page must be at most {MAX_PAGE}")
    page = max(page, 1)
    page_size = min(max(page_size, 1), max_size)
    return page_size, (page - 1) * page_size
