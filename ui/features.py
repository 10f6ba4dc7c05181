"""Dashboard features that are named in the seed but still being built: one switch each.

The dashboard shows a feature (its nav entry, its settings tab, links to its page) only when it
works — no placeholder page, no "coming soon" entry to click into. A feature's own issue turns
its switch to True here when it registers its page; nothing else needs to change.
"""

from __future__ import annotations

AVAILABLE: dict[str, bool] = {
    "flows": True,  # the visual flow builder, /dashboard/flows
    "broadcasts": True,  # the broadcast scheduler, /dashboard/broadcasts (issue 15)
    "analytics": True,  # charts, /dashboard/analytics (issue 17)
    "webhooks": True,  # the Webhooks settings tab, /dashboard/settings/webhooks (issue 16)
}


def available(feature: str | None) -> bool:
    """True for a feature switched on, and for anything that is not a switchable feature."""
    return feature is None or AVAILABLE.get(feature, True)
