"""One notification per outage of a WhatsApp number, not one per reconnect attempt.

An offline number is retried every minute or so, forever: a notification per attempt was
~2,900 a day (issue 13). The first unexpected disconnect opens an outage with one
`wa_disconnected` notification; later attempts, warnings and the last error update it in
place (`notification:updated`, no new entry); a critical alert (ban, logged out) marks it
unread again. When the number is back, the outage closes (`endedAt`) and one
`wa_reconnected` says so. The open outage is found again after a restart from the stored
notification, so a restart mid-outage neither repeats it nor forgets to report the end.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.channels import AlertLevel, ChannelAlert
from app.domain import Clock
from app.events import catalog, names
from app.records import Notifier


@dataclass(slots=True)
class _Outage:
    notification_id: str
    payload: dict[str, Any]


class Outages:
    def __init__(self, notifier: Notifier, clock: Clock) -> None:
        self._notifier = notifier
        self._clock = clock
        self._open: dict[str, _Outage | None] = {}  # session id → its open outage (None: none)
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def down(self, workspace_id: str, session_id: str, reason: str | None) -> None:
        """A (re)connect attempt failed: open the outage, or count the attempt."""
        async with self._locks[session_id]:
            outage = await self._current(workspace_id, session_id)
            if outage is None:
                await self._begin(workspace_id, session_id, {"reason": reason, "lastError": reason})
                return
            attempts = int(outage.payload.get("attempts", 1)) + 1
            changes = {"attempts": attempts, "reason": reason, "lastError": reason}
            await self._update(workspace_id, outage, changes)

    async def alert(self, workspace_id: str, session_id: str, alert: ChannelAlert) -> None:
        """A warning (reconnect attempt 5+) or a critical end (ban, logout) during an outage."""
        critical = alert.level is AlertLevel.CRITICAL
        details: dict[str, Any] = {"level": alert.level.value, "code": alert.code}
        if critical:  # a warning says only "attempt n": the cause stays the last error's
            details["lastError"] = alert.detail
        async with self._locks[session_id]:
            outage = await self._current(workspace_id, session_id)
            if outage is None:
                await self._begin(workspace_id, session_id, details)
                return
            if alert.attempt is not None:
                details["attempts"] = max(int(outage.payload.get("attempts", 1)), alert.attempt)
            was_critical = outage.payload.get("level") == AlertLevel.CRITICAL.value
            await self._update(workspace_id, outage, details, unread=critical and not was_critical)

    async def up(self, workspace_id: str, session_id: str) -> None:
        """Connected: close the open outage, if any, with one `wa_reconnected`."""
        async with self._locks[session_id]:
            outage = await self._current(workspace_id, session_id)
            if outage is None:
                return
            now = self._clock.now()
            await self._update(workspace_id, outage, {"endedAt": now.isoformat()})
            self._open[session_id] = None
            since = _parse(outage.payload.get("since")) or now
            attempts = int(outage.payload.get("attempts", 1))
            notice = catalog.wa_reconnected(session_id, attempts, since, now)
            await self._notifier.notify(workspace_id, notice)

    async def _begin(self, workspace_id: str, session_id: str, details: dict[str, Any]) -> None:
        notice = catalog.wa_disconnected(session_id, self._clock.now(), details)
        notification_id = await self._notifier.notify(workspace_id, notice)
        self._open[session_id] = _Outage(notification_id, notice.payload)

    async def _update(
        self, workspace_id: str, outage: _Outage, changes: dict[str, Any], *, unread: bool = False
    ) -> None:
        outage.payload = {**outage.payload, **changes, "updatedAt": self._clock.now().isoformat()}
        await self._notifier.update(
            workspace_id, outage.notification_id, outage.payload, unread=unread
        )

    async def _current(self, workspace_id: str, session_id: str) -> _Outage | None:
        """The session's open outage; the first time, looked up among stored notifications
        (a restart during an outage continues it)."""
        if session_id not in self._open:
            self._open[session_id] = None
            for notification_id, payload in await self._notifier.latest(
                workspace_id, names.WA_DISCONNECTED
            ):
                if payload.get("sessionId") == session_id:
                    if "since" in payload and "endedAt" not in payload:
                        self._open[session_id] = _Outage(notification_id, payload)
                    break
        return self._open[session_id]


def _parse(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
