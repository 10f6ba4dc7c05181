"""Normalizers: raw WhatsApp events from any source → NormalizedMessage / Receipt / NonMessage.

`app.channels.normalize.neonize` (whatsmeow protobufs) is not re-exported here on purpose:
importing it loads neonize's Go library, which only the channel worker process should do.
"""

from app.channels.normalize.baileys import normalize_baileys_event, normalize_baileys_message
from app.channels.normalize.content import Content, read_content
from app.channels.normalize.gowa import normalize_gowa, normalize_gowa_message
from app.channels.normalize.jids import canonical_jid
from app.channels.normalize.outcome import NonMessage, Normalized, media_type_for_mime
from app.channels.normalize.waha import normalize_waha, normalize_waha_message

__all__ = [
    "Content",
    "NonMessage",
    "Normalized",
    "canonical_jid",
    "media_type_for_mime",
    "normalize_baileys_event",
    "normalize_baileys_message",
    "normalize_gowa",
    "normalize_gowa_message",
    "normalize_waha",
    "normalize_waha_message",
    "read_content",
]
