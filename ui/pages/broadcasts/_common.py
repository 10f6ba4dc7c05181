"""What the broadcast pages share: status colours and the progress line."""

from __future__ import annotations

from nicegui import ui

from app.domain.broadcasts import BroadcastStats

NO_ACCESS = "Your role does not give access to broadcasts."
STATUS_COLOR = {
    "DRAFT": "grey-7",
    "SCHEDULED": "info",
    "SENDING": "primary",
    "PAUSED": "warning",
    "SENT": "positive",
    "FAILED": "negative",
    "CANCELLED": "grey-6",
}


def status_badge(status: str) -> ui.badge:
    return ui.badge(status.lower(), color=STATUS_COLOR.get(status, "grey-7")).props("rounded")


def counts_text(stats: BroadcastStats) -> str:
    """ "120 of 500 sent · 80 delivered · 40 read · 3 replied · 1 failed · 2 opted out"."""
    parts = [f"{stats.sent} of {stats.total} sent"]
    for n, label in (
        (stats.delivered, "delivered"),
        (stats.read, "read"),
        (stats.replied, "replied"),
        (stats.failed, "failed"),
        (stats.opted_out, "opted out"),
    ):
        if n:
            parts.append(f"{n} {label}")
    return " · ".join(parts)


def duration(minutes: int) -> str:
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"about {minutes} min"
    if minutes < 24 * 60:
        return f"about {minutes / 60:.1f} h"
    return f"about {minutes / 1440:.1f} days (the daily send budget)"
