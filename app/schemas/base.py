"""The one base of request bodies."""

from __future__ import annotations

import msgspec


class Body(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    """Base for request bodies: camelCase on the wire, unknown fields rejected."""
