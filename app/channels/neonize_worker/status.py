"""neonize connection events → (SessionStatus, reason, terminal).

`terminal` means reconnecting cannot help and may hurt: logged out (the phone unlinked us), a
(temporary) ban, an outdated client, or another client took over the session. The supervisor
stops restarting the worker and raises a critical alert.
"""

from __future__ import annotations

from dataclasses import dataclass

from neonize.proto import Neonize_pb2 as pb

from app.domain import SessionStatus


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: SessionStatus
    reason: str | None = None
    terminal: bool = False
    detail: str | None = None


_LOGGED_OUT = {pb.LOGGED_OUT, pb.MAIN_DEVICE_GONE, pb.UNKNOWN_LOGOUT}
_OUTDATED = {pb.CLIENT_OUTDATED, pb.BAD_USER_AGENT}


def from_connect_failure(reason: int, message: str = "") -> StatusChange:
    if reason in _LOGGED_OUT:
        return StatusChange(SessionStatus.DISCONNECTED, "logged_out", True, message or None)
    if reason == pb.TEMP_BANNED:
        return StatusChange(SessionStatus.BANNED, "temporary_ban", True, message or None)
    if reason in _OUTDATED:
        return StatusChange(SessionStatus.DISCONNECTED, "client_outdated", True, message or None)
    known = reason in pb.ConnectFailureReason.values()
    name = pb.ConnectFailureReason.Name(reason) if known else ""
    return StatusChange(SessionStatus.ERROR, f"connect_failure:{name or reason}", False, message)


def from_event(event: object) -> StatusChange | None:
    """The status change a connection event implies, or None for events that imply none."""
    match event:
        case pb.Connected() | pb.KeepAliveRestored():
            return StatusChange(SessionStatus.CONNECTED)
        case pb.LoggedOut(Reason=reason):
            change = from_connect_failure(reason) if reason else None
            if change is not None and change.terminal:
                return change
            return StatusChange(SessionStatus.DISCONNECTED, "logged_out", True)
        case pb.TemporaryBan(Code=code, Expire=expire):
            why = pb.TemporaryBan.TempBanReason.Name(code) if code else "unknown"
            return StatusChange(
                SessionStatus.BANNED, "temporary_ban", True, f"{why}; expires in {expire}s"
            )
        case pb.ConnectFailure(Reason=reason, Message=message):
            return from_connect_failure(reason, message)
        case pb.ClientOutdated():
            return StatusChange(SessionStatus.DISCONNECTED, "client_outdated", True)
        case pb.StreamReplaced():
            return StatusChange(SessionStatus.DISCONNECTED, "stream_replaced", True)
        case pb.StreamError(Code=code):
            return StatusChange(SessionStatus.ERROR, "stream_error", False, code)
        case pb.Disconnected():
            return StatusChange(SessionStatus.CONNECTING, "disconnected")
        case pb.KeepAliveTimeout(ErrorCount=count):
            return StatusChange(SessionStatus.CONNECTING, "keepalive_timeout", False, str(count))
    return None
