"""What the other nodes said about the sessions they run: the last `whatsapp:status` event of
each (status, and the login QR code while one is waiting), as the event bridge delivers it.

A node that does not run a session has no live channel to ask for its QR code; the owner
publishes every new code as an event, and this keeps the newest, so the dashboard's QR dialog
(which calls the service in-process, with no request to forward) works on any node. The API
forwards its QR requests to the owner instead (`app/api/forward.py`), which answers exactly.
"""

from __future__ import annotations

from app.domain import SessionStatus
from app.events import names
from app.events.bus import Event


class HeardStatus:
    def __init__(self) -> None:
        self._last: dict[str, tuple[SessionStatus, str | None]] = {}

    def heard(self, event: Event) -> None:
        """An event from another node (the bridge's `on_event`)."""
        if event.name != names.WHATSAPP_STATUS:
            return
        session_id = str(event.data.get("sessionId", ""))
        try:
            status = SessionStatus(str(event.data.get("status", "")))
        except ValueError:
            return
        self._last[session_id] = (status, event.data.get("qrCode") or None)

    def last(self, session_id: str) -> tuple[SessionStatus, str | None] | None:
        """The status and QR code another node last published for the session (None: none)."""
        return self._last.get(session_id)
