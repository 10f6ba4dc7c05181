"""Pieces of the authenticated chrome that `ui.theme.frame` composes: connection badge,
notification centre and header search."""

from __future__ import annotations

from ui.shell.notifications import NotificationBell
from ui.shell.search import header_search
from ui.shell.status import ConnectionBadge, connection_badge

__all__ = ["ConnectionBadge", "NotificationBell", "connection_badge", "header_search"]
