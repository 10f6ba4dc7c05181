"""The contacts area (seed §7 `/dashboard/contacts`, `/dashboard/contacts/:id`).

Pages call `ContactService` and `LabelService` in-process; those check the seed §14 matrix
themselves (OWNER and ADMIN change contacts, AGENT and VIEWER read them), so the pages only
ask `actor.may(Resource.CONTACTS, write=True)` to decide which controls to draw.
"""

from __future__ import annotations

from ui.pages.contacts import detail, export_route, listing


def create() -> None:
    listing.create()
    detail.create()
    export_route.create()


__all__ = ["create"]
