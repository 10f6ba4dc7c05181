"""The broadcasts area (seed §7 `/dashboard/broadcasts`, `/new`, `/:id`; issue 15.5).

Pages call `BroadcastService` in-process; it checks the seed §14 matrix (OWNER and ADMIN
send broadcasts, AGENT and VIEWER follow them), so the pages only ask
`actor.may(Resource.BROADCASTS, write=True)` to decide which controls to draw. Progress is
live: `broadcast:progress` events move the bars and counts.
"""

from __future__ import annotations

from ui.pages.broadcasts import compose, detail, listing


def create() -> None:
    listing.create()
    compose.create()  # before detail: /new is not an id
    detail.create()


__all__ = ["create"]
