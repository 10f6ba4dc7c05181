"""JID spellings: whatsmeow/Baileys use `@s.whatsapp.net`, whatsapp-web.js (WAHA) `@c.us`."""

from __future__ import annotations

PHONE_SERVER = "s.whatsapp.net"
LID_SERVER = "lid"
GROUP_SERVER = "g.us"


def canonical_jid(jid: str | None) -> str | None:
    """One spelling per identity: `@c.us` → `@s.whatsapp.net`, device suffix dropped."""
    if not jid:
        return None
    user, _, server = jid.partition("@")
    if not server:
        return jid
    if server == "c.us":
        server = PHONE_SERVER
    if server in (PHONE_SERVER, LID_SERVER):
        user = user.split(":", 1)[0]  # "123:4@s.whatsapp.net" is device 4 of 123
    return f"{user}@{server}"


def is_group(jid: str | None) -> bool:
    return jid is not None and jid.endswith("@" + GROUP_SERVER)


def is_lid(jid: str | None) -> bool:
    return jid is not None and jid.endswith("@" + LID_SERVER)


def is_phone(jid: str | None) -> bool:
    return jid is not None and jid.endswith("@" + PHONE_SERVER)


def split_identities(*candidates: str | None) -> tuple[str | None, str | None]:
    """From sender candidates (any order), pick (phone_jid, lid)."""
    phone = next((c for c in map(canonical_jid, candidates) if is_phone(c)), None)
    lid = next((c for c in map(canonical_jid, candidates) if is_lid(c)), None)
    return phone, lid
