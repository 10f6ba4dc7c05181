"""Outbound pacing that makes a number look like a person (DESIGN §4.5, seed §14 "WA send"):
"typing…" for a time that grows with the reply's length, a random jitter, and a minimum gap
between two sends to one chat.

How *many* messages may go is the send budget's (`app/domain/sending.py`, claimed in the
database); pacing says *when* each granted one goes: a row's slot is `now + lead` (typing
time + jitter), and the dispatcher shows "typing…" until then.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.db.repos.outbox_jobs import Job
from app.domain import Clock
from app.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Pacing:
    typing_s_per_char: float
    typing_max_s: float
    chat_spacing_s: float
    jitter_s: float = 0.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    @classmethod
    def from_settings(cls, s: Settings) -> Pacing:
        return cls(s.typing_ms_per_char / 1000, s.typing_max_s, s.chat_spacing_s, s.send_jitter_s)

    def typing_time(self, text: str) -> float:
        """How long "typing…" shows before a reply: grows with its length, capped."""
        return min(self.typing_max_s, self.typing_s_per_char * len(text))

    def lead(self, job: Job) -> float:
        """Seconds from the claim to the send: typing time plus a random jitter."""
        return self.lead_for(job.text)

    def lead_for(self, text: str) -> float:
        """`lead` of a row with this text (a reply taken by its decision: no row yet)."""
        jitter = self.rng.uniform(0, self.jitter_s) if self.jitter_s > 0 else 0.0
        return self.typing_time(text) + jitter

    @property
    def max_lead_s(self) -> float:
        return self.typing_max_s + self.jitter_s


Chat = tuple[str, str]  # (session id, jid)


class Pacer:
    """This process's pacing state: when each chat last got a message (for the spacing), and
    the typing indicator while a granted row waits for its slot. `on_typing(job, on)` lets
    the caller publish typing:start / typing:stop."""

    def __init__(
        self, pacing: Pacing, clock: Clock, on_typing: Callable[[Job, bool], None]
    ) -> None:
        self.pacing = pacing
        self._clock = clock
        self._on_typing = on_typing
        self._last_send: dict[Chat, datetime] = {}

    def not_before(self, session_id: str) -> dict[str, datetime]:
        """The session's chats that got a message too recently: jid → earliest next send."""
        now, gap = self._clock.now(), timedelta(seconds=self.pacing.chat_spacing_s)
        if gap <= timedelta(0):
            return {}
        for chat in [c for c, at in self._last_send.items() if at + gap <= now]:
            del self._last_send[chat]  # spaced enough: forget it
        return {jid: at + gap for (sid, jid), at in self._last_send.items() if sid == session_id}

    async def until_slot(self, job: Job, channel: Any) -> None:
        """Wait for the row's slot, showing "typing…" meanwhile if the text is typed (the
        caller ends it with `stop_typing`). The wait is measured after the typing request, so
        a slow presence update does not make the send late."""
        if self.pacing.typing_time(job.text) > 0:
            await _typing(channel, job.jid, True)
            self._on_typing(job, True)
        delay = ((job.slot_at or self._clock.now()) - self._clock.now()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)

    async def stop_typing(self, job: Job, channel: Any) -> None:
        if self.pacing.typing_time(job.text) > 0:
            await _typing(channel, job.jid, False)
            self._on_typing(job, False)

    def sent(self, job: Job) -> None:
        self._last_send[(job.session_id, job.jid)] = self._clock.now()


async def _typing(channel: Any, jid: str, on: bool) -> None:
    try:
        await channel.set_typing(jid, on)
    except Exception as exc:  # presence is best effort
        log.debug("typing indicator failed: %s", exc)
