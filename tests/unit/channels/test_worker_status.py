"""neonize connection events → session status; which ones end reconnecting."""

from __future__ import annotations

import pytest
from neonize.proto import Neonize_pb2 as pb

from app.channels.neonize_worker.status import from_event
from app.domain import SessionStatus

OFF = SessionStatus.DISCONNECTED
CASES = [
    (pb.Connected(status=True), SessionStatus.CONNECTED, None, False),
    (pb.LoggedOut(Reason=pb.LOGGED_OUT), OFF, "logged_out", True),
    (pb.LoggedOut(), OFF, "logged_out", True),
    (pb.TemporaryBan(Code=1, Expire=60), SessionStatus.BANNED, "temporary_ban", True),
    (pb.ConnectFailure(Reason=pb.TEMP_BANNED), SessionStatus.BANNED, "temporary_ban", True),
    (pb.ConnectFailure(Reason=pb.MAIN_DEVICE_GONE), OFF, "logged_out", True),
    (pb.ConnectFailure(Reason=pb.CLIENT_OUTDATED), OFF, "client_outdated", True),
    (pb.ClientOutdated(), OFF, "client_outdated", True),
    (pb.StreamReplaced(), OFF, "stream_replaced", True),
    (pb.ConnectFailure(Reason=pb.INTERNAL_SERVER_ERROR), SessionStatus.ERROR,
     "connect_failure:INTERNAL_SERVER_ERROR", False),
    (pb.StreamError(Code="515"), SessionStatus.ERROR, "stream_error", False),
    (pb.Disconnected(), SessionStatus.CONNECTING, "disconnected", False),
    (pb.KeepAliveTimeout(ErrorCount=2), SessionStatus.CONNECTING, "keepalive_timeout", False),
]  # fmt: skip


@pytest.mark.parametrize(("event", "status", "reason", "terminal"), CASES)
def test_mapping(event: object, status: SessionStatus, reason: str | None, terminal: bool) -> None:
    change = from_event(event)
    assert change is not None
    assert (change.status, change.reason, change.terminal) == (status, reason, terminal)


def test_other_events_imply_nothing() -> None:
    assert from_event(pb.Receipt()) is None
