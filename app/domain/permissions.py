"""The seed §14 permission matrix as one declarative table, read by the API guard, the service
guard (`app/auth/guard.py`) and the UI (through `Actor.may`).

It is plain data about roles, so it lives with `Role` in the domain: every layer may ask it.

The table below is the seed's, copied verbatim, plus four rows of ours:
`workspace` (the workspace record itself: every member reads it; changing it is a settings
change), `notifications` (every member reads and marks their own workspace's notifications),
`exports` (everything stored about a person in one download — a data-subject access
request — is for owners and admins only, though agents and viewers may read contacts)
and `canned_replies` (issue 17: read by whoever may write conversations, the agents who insert
them; managed, like the rest of Settings, by owners and admins).
"""

from __future__ import annotations

from enum import StrEnum

from app.domain.enums import Role

_TABLE = """
              OWNER  ADMIN  AGENT  VIEWER
contacts       RW     RW     R      R
conversations  RW     RW     RW     R
knowledge      RW     RW     R      R
flows          RW     RW     R      R
broadcasts     RW     RW     R      R
analytics      R      R      R      R
settings       RW     RW     -      -
whatsapp       RW     R      -      -
team           RW     R      -      -
billing        RW     -      -      -
workspace      RW     RW     R      R
notifications  RW     RW     RW     RW
exports        R      R      -      -
canned_replies RW     RW     R      -
"""


class Resource(StrEnum):
    CONTACTS = "contacts"
    CONVERSATIONS = "conversations"
    KNOWLEDGE = "knowledge"
    FLOWS = "flows"
    BROADCASTS = "broadcasts"
    ANALYTICS = "analytics"
    SETTINGS = "settings"
    WHATSAPP = "whatsapp"
    TEAM = "team"
    BILLING = "billing"
    WORKSPACE = "workspace"
    NOTIFICATIONS = "notifications"
    EXPORTS = "exports"
    CANNED_REPLIES = "canned_replies"


def _parse(table: str) -> dict[Resource, dict[Role, str]]:
    header, *rows = [line.split() for line in table.strip().splitlines()]
    roles = [Role(name) for name in header]
    return {Resource(row[0]): dict(zip(roles, row[1:], strict=True)) for row in rows}


MATRIX: dict[Resource, dict[Role, str]] = _parse(_TABLE)


def can(role: Role, resource: Resource, *, write: bool) -> bool:
    """True when `role` may read (or, with write=True, change) `resource`."""
    grant = MATRIX[resource][role]
    return "W" in grant if write else "R" in grant
