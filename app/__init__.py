"""Aimywhatsapp: self-hosted WhatsApp AI automation."""

__version__ = "0.1.0"
