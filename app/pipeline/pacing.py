"""Outbound pacing that guards the number against bans (DESIGN §4.5, seed §14 "WA send")."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from app.settings import Settings


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

    def __init__(self, limit: int, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
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
