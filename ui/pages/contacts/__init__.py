"""The contacts area (seed §7 `/dashboard/contacts`, `/dashboard/contacts/:id`).

Pages call `ContactService` and `LabelService` in-process; those trust their caller, so every
change made here first passes `_common.ensure_write` (the seed §14 matrix: OWNER and ADMIN
change contacts, AGENT and VIEWER read them).
"""

from __future__ import annotations

from ui.pages.contacts import detail, listing


def create() -> None:
    listing.create()
    detail.create()


__all__ = ["create"]
