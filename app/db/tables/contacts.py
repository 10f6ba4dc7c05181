"""Contacts and CRM data (seed §5 "Contacts & CRM")."""

from __future__ import annotations

from piccolo.columns import Text, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from app.db.tables._columns import (
    created_at,
    flag,
    optional_timestamp,
    owned_by,
    primary_key,
    refers_to,
    updated_at,
)
from app.db.tables.auth import Workspace
from app.db.tables.whatsapp import WhatsappSession


class Contact(Table, tablename="contacts"):
    """A WhatsApp user, unique per (workspace, jid).

    `session_id` is nullable (SET NULL) unlike the seed: unlinking a number must not erase the
    CRM history. `lid` (beyond the seed) keeps WhatsApp's LID alias of the same person.
    """

    id = primary_key()
    workspace_id = owned_by(Workspace)
    session_id = refers_to(WhatsappSession)
    jid = Varchar(length=128)
    lid = Varchar(length=128, null=True, default=None, index=True)
    phone_number = Varchar(length=32)
    name = Varchar(length=255, null=True, default=None)
    display_name = Varchar(length=255, null=True, default=None)
    profile_pic_url = Text(null=True, default=None)
    about = Text(null=True, default=None)
    autoreply_enabled = flag(True)
    human_takeover = flag(False)
    approval_mode = flag(False)
    is_blocked = flag(False)
    is_vip = flag(False)
    language = Varchar(length=16, null=True, default=None)
    notes = Text(null=True, default=None)
    opted_out_at = optional_timestamp()  # m0022: no broadcasts (an opt-out word, or by hand)
    first_seen_at = created_at()
    last_message_at = optional_timestamp()
    created_at = created_at()
    updated_at = updated_at()

    unique_workspace_jid = Unique([workspace_id, jid])


class Label(Table, tablename="labels"):
    """A coloured tag, unique by name within a workspace."""

    id = primary_key()
    workspace_id = owned_by(Workspace)
    name = Varchar(length=100)
    color = Varchar(length=16)
    created_at = created_at()

    unique_workspace_name = Unique([workspace_id, name])


class ContactLabel(Table, tablename="contact_labels"):
    """Contact ↔ label link.

    The database primary key is (contact_id, label_id) as in the seed. piccolo needs a single
    primary key column, so `id` exists too (UNIQUE in the database) and is piccolo's `pk`.
    """

    id = primary_key()
    contact_id = owned_by(Contact)
    label_id = owned_by(Label, index=True)

    unique_contact_label = Unique([contact_id, label_id])


class ContactCustomField(Table, tablename="contact_custom_fields"):
    """A free-form key/value on a contact, one value per key."""

    id = primary_key()
    contact_id = owned_by(Contact)
    key = Varchar(length=100)
    value = Text(default="")

    unique_contact_key = Unique([contact_id, key])
