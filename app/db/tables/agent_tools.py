"""The agent's everyday tools (issue 17 item 4, m0025): canned replies, private notes, CSAT.

Notes are a table of their own rather than a kind of message, so the outbox, the dispatcher,
analytics, unread counts, previews and the AI's history — all readers of `messages` — never
see one.
"""

from __future__ import annotations

from piccolo.columns import Integer, Text, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from app.db.tables._columns import (
    created_at,
    optional_timestamp,
    owned_by,
    primary_key,
    refers_to,
    required_timestamp,
    updated_at,
)
from app.db.tables.auth import User, Workspace
from app.db.tables.contacts import Contact
from app.db.tables.conversations import Conversation
from app.db.tables.whatsapp import WhatsappSession


class CannedReply(Table, tablename="canned_replies"):
    """A saved answer an agent inserts with `/shortcut`; `text` may hold `{{contact.name}}`…"""

    id = primary_key()
    workspace_id = owned_by(Workspace)
    shortcut = Varchar(length=32)
    title = Varchar(length=120)
    text = Text()
    created_by = refers_to(User)
    created_at = created_at()
    updated_at = updated_at()

    unique_shortcut = Unique([workspace_id, shortcut])


class ConversationNote(Table, tablename="conversation_notes"):
    """A private note in a thread: for the team, never sent to the customer."""

    id = primary_key()
    workspace_id = owned_by(Workspace)
    conversation_id = owned_by(Conversation)
    author_user_id = refers_to(User)
    text = Text()
    created_at = created_at()
    edited_at = optional_timestamp()  # m0034: the author changed the text


class CsatRating(Table, tablename="csat_ratings"):
    """One ask per resolved conversation; `rating` (1-5) and `answered_at` are set once."""

    id = primary_key()
    workspace_id = owned_by(Workspace)
    conversation_id = owned_by(Conversation, unique=True)
    contact_id = owned_by(Contact)
    session_id = refers_to(WhatsappSession)
    rating = Integer(null=True, default=None)
    asked_at = required_timestamp()
    answered_at = optional_timestamp()
