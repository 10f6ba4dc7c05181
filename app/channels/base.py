"""The Channel port: one linked WhatsApp number (or a simulated one). Adapters sit beside it."""

from __future__ import annotations

from typing import Protocol

from app.domain import OutboundMessage, SessionStatus


class Channel(Protocol):
    """A linked WhatsApp number. Events go to the `ChannelEvents` given at construction."""

    status: SessionStatus

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def logout(self) -> None:
        """Unlink the number and forget its credentials (session delete)."""
        ...

    def qr(self) -> str | None:
        """The current login QR code as a PNG data URL, or None when not waiting for a scan."""
        ...

    async def pair(self, phone: str) -> str:
        """Ask for a pairing code (phone-number login) instead of a QR scan."""
        ...

    async def send(self, message: OutboundMessage) -> str:
        """Send and return the WhatsApp message id."""
        ...

    async def download(self, media_ref: str) -> bytes: ...

    async def set_typing(self, jid: str, on: bool) -> None: ...
