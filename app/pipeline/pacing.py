"""Outbound pacing that guards the number against bans (DESIGN §4.5, seed §14 "WA send"):
"typing…" for a time that grows with the reply's length, at most `per_min` sends per session
in any minute, and a minimum gap between two sends to one chat."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.db.repos.outbox_jobs import Job
from app.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Pacing:
    typing_s_per_char: float
    typing_max_s: float
    per_min: int
    chat_spacing_s: float

    @classmethod
    def from_settings(cls, s: Settings) -> Pacing:
        return cls(
            s.typing_ms_per_char / 1000, s.typing_max_s, s.send_rate_per_min, s.chat_spacing_s
        )

    def typing_time(self, text: str) -> float:
        """How long "typing…" shows before a reply: grows with its length, capped."""
        return min(self.typing_max_s, self.typing_s_per_char * len(text))


class RateWindow:
    """At most `limit` sends in any 60 s: `wait_time()` says how long the next one must wait."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._sent: deque[float] = deque()

    def wait_time(self) -> float:
        now = self._clock()
        while self._sent and now - self._sent[0] >= 60:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            return 0.0
        return 60 - (now - self._sent[0])

    def record(self) -> None:
        self._sent.append(self._clock())


Chat = tuple[str, str]  # (session id, jid)


class Pacer:
    """The dispatcher's pacing state: per-session rate windows, per-chat last send time.
    `on_typing(job, on)` lets the caller publish typing:start / typing:stop."""

    def __init__(self, pacing: Pacing, on_typing: Callable[[Job, bool], None]) -> None:
        self.pacing = pacing
        self._on_typing = on_typing
        self._rates: dict[str, RateWindow] = {}
        self._last_send: dict[Chat, float] = {}

    def _rate(self, session_id: str) -> RateWindow:
        if session_id not in self._rates:
            self._rates[session_id] = RateWindow(self.pacing.per_min)
        return self._rates[session_id]

    async def before_send(self, job: Job, channel: Any) -> None:
        chat, text = (job.session_id, job.jid), job.text
        loop = asyncio.get_running_loop()
        spacing = self.pacing.chat_spacing_s - (loop.time() - self._last_send.get(chat, -1e9))
        rate_wait = self._rate(chat[0]).wait_time()
        typing = self.pacing.typing_time(text)
        if typing > 0:
            await _typing(channel, chat[1], True)
            self._on_typing(job, True)
        delay = max(typing, spacing, rate_wait)
        if delay > 0:
            await asyncio.sleep(delay)
        if typing > 0:
            await _typing(channel, chat[1], False)
            self._on_typing(job, False)

    def sent(self, job: Job) -> None:
        chat = (job.session_id, job.jid)
        self._rate(chat[0]).record()
        self._last_send[chat] = asyncio.get_running_loop().time()


async def _typing(channel: Any, jid: str, on: bool) -> None:
    try:
        await channel.set_typing(jid, on)
    except Exception as exc:  # presence is best effort
        log.debug("typing indicator failed: %s", exc)
