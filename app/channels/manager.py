"""The live channels of this process, one per WhatsApp session, and the one place that makes them.

`build_channel` maps the session's channel kind to an adapter, importing the neonize side lazily
(STYLE §3). The manager is what the composition root keeps: services look channels up by
session id, and the lifespan's shutdown stops them all at once (each worker gets its grace
period concurrently, so shutdown takes one grace period, not one per session).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from app.channels.base import Channel
from app.channels.events import ChannelEvents
from app.channels.vault import SealedStore
from app.domain import NotFound


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    session_id: str
    kind: str  # "simulator" | "neonize"
    session_dir: Path | None = None  # neonize: where the sealed credentials live
    credentials_key: bytes | None = None  # neonize: 32-byte AES key from app/secrets.py
    runtime_base: Path | None = None  # neonize: where credentials are unsealed while running
    store: SealedStore | None = None  # neonize: where they are sealed (None: a file in session_dir)


def build_channel(spec: ChannelSpec, events: ChannelEvents) -> Channel:
    """A channel adapter for `spec.kind` (not started)."""
    match spec.kind:
        case "simulator":
            from app.channels.simulator import SimulatorChannel

            return SimulatorChannel(events)
        case "neonize" | "whatsapp":
            from app.channels.neonize_channel import NeonizeChannel

            if spec.session_dir is None or spec.credentials_key is None:
                raise ValueError("a neonize channel needs session_dir and credentials_key")
            return NeonizeChannel(
                spec.session_id,
                spec.session_dir,
                spec.credentials_key,
                events,
                runtime_base=spec.runtime_base,
                store=spec.store,
            )
    raise ValueError(f"unknown channel kind {spec.kind!r}")


class ChannelManager:
    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}

    def __contains__(self, session_id: str) -> bool:
        return session_id in self._channels

    def get(self, session_id: str) -> Channel:
        try:
            return self._channels[session_id]
        except KeyError:
            raise NotFound(f"WhatsApp session {session_id} is not running") from None

    async def open(self, spec: ChannelSpec, events: ChannelEvents) -> Channel:
        """Build and start the session's channel (replacing a running one)."""
        if spec.session_id in self._channels:
            await self.close(spec.session_id)
        channel = build_channel(spec, events)
        self._channels[spec.session_id] = channel
        await channel.start()
        return channel

    async def close(self, session_id: str, *, logout: bool = False) -> None:
        """Stop a session's channel; `logout` also unlinks it and deletes its credentials."""
        channel = self._channels.pop(session_id, None)
        if channel is not None:
            await (channel.logout() if logout else channel.stop())

    async def stop_all(self) -> None:
        channels, self._channels = list(self._channels.values()), {}
        await asyncio.gather(*(c.stop() for c in channels), return_exceptions=True)
