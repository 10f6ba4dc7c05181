"""The sink a channel reports to: messages, receipts, status changes, QR codes, alerts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from app.domain import NormalizedMessage, Receipt, SessionStatus


class AlertLevel(StrEnum):
    WARNING = "WARNING"  # e.g. reconnect attempt 5+ (seed §9)
    CRITICAL = "CRITICAL"  # ban, logged out, client outdated: reconnecting stopped


@dataclass(frozen=True, slots=True)
class ChannelAlert:
    level: AlertLevel
    code: str  # "reconnecting", "banned", "temporary_ban", "logged_out", "client_outdated", …
    detail: str
    attempt: int | None = None


async def _ignore(*_: object) -> None:
    return None


@dataclass(slots=True)
class ChannelEvents:
    """Async callbacks; the default for each is to ignore the event.

    Callbacks run on the event loop that runs the channel, one at a time per channel, in the
    order the channel saw the events — the pipeline may rely on that ordering.
    """

    on_message: Callable[[NormalizedMessage], Awaitable[None]] = _ignore
    on_receipt: Callable[[Receipt], Awaitable[None]] = _ignore
    on_status: Callable[[SessionStatus, str | None], Awaitable[None]] = _ignore
    on_qr: Callable[[str], Awaitable[None]] = _ignore  # PNG data URL of a new QR code
    on_alert: Callable[[ChannelAlert], Awaitable[None]] = _ignore
