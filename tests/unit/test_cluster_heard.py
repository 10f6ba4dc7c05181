"""The other nodes' session statuses (app/cluster/heard.py): the newest QR code is kept until
the session moves past QR_READY; other events and unknown statuses change nothing."""

from __future__ import annotations

from app.cluster.heard import HeardStatus
from app.domain import SessionStatus
from app.events import catalog
from app.events.bus import Event


def test_the_newest_qr_code_is_kept_until_the_session_connects() -> None:
    heard = HeardStatus()
    assert heard.last("s1") is None
    heard.heard(catalog.whatsapp_status("w", "s1", SessionStatus.QR_READY, "data:one"))
    heard.heard(catalog.whatsapp_status("w", "s1", SessionStatus.QR_READY, "data:two"))
    assert heard.last("s1") == (SessionStatus.QR_READY, "data:two")
    heard.heard(Event("message:new", "w", {"sessionId": "s1"}))
    heard.heard(Event("whatsapp:status", "w", {"sessionId": "s1", "status": "NONSENSE"}))
    assert heard.last("s1") == (SessionStatus.QR_READY, "data:two")
    heard.heard(catalog.whatsapp_status("w", "s1", SessionStatus.CONNECTED))
    assert heard.last("s1") == (SessionStatus.CONNECTED, None)
