"""QR codes as PNG data URLs (what the dashboard's <img> and the seed's GET …/qr return)."""

from __future__ import annotations

import segno


def qr_data_url(code: str, *, scale: int = 6) -> str:
    """Render a WhatsApp login code as a PNG data URL."""
    return segno.make(code, error="l", micro=False).png_data_uri(scale=scale, border=2)
