"""Several app nodes on one database (issue 18; `app/cluster/` uses them): the nodes and their
heartbeats, which node runs which WhatsApp session (a lease with a fencing token), and events
too large to travel in a Postgres NOTIFY."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.db.tables._columns import owned_by, primary_key, required_timestamp
from app.db.tables.whatsapp import WhatsappSession


class Node(Table, tablename="nodes"):
    """An app node (`id` = its `AIMY_NODE_ID`): live while `heartbeat_at` is recent; `url`
    (m0029) is where the other nodes forward live-channel requests for its sessions."""

    id = Varchar(length=128, primary_key=True)
    started_at = required_timestamp()
    heartbeat_at = required_timestamp()
    url = Varchar(length=512, default="")


class SessionLease(Table, tablename="session_leases"):
    """The node running a session (`node_id`, '' when free) until `expires_at`; `token` grows
    with every claim, and a send is allowed only under the token it was claimed with."""

    id = primary_key()
    session_id = owned_by(WhatsappSession, unique=True)
    node_id = Varchar(length=128, default="")
    token = Integer(default=0)
    heartbeat_at = Timestamptz(null=True, default=None)
    expires_at = required_timestamp()


class SessionCredentials(Table, tablename="session_credentials"):
    """A linked number's sealed credentials (m0029; `id` = the session's id): base64 of the
    vault's AES-GCM blob, written under the lease fencing `token` of the node that ran it."""

    id = primary_key()
    session_id = owned_by(WhatsappSession, unique=True)
    workspace_id = Varchar(length=36)
    blob = Text()
    token = Integer(default=0)
    sealed_at = required_timestamp()


class EventSpill(Table, tablename="event_spill"):
    """An event's JSON that did not fit a NOTIFY payload; listeners fetch it by id."""

    id = primary_key()
    payload = Text()
    created_at = required_timestamp()


class JobRun(Table, tablename="job_runs"):
    """When the periodic job `id` last ran in the cluster, and on which node."""

    id = Varchar(length=64, primary_key=True)
    ran_at = required_timestamp()
    node_id = Varchar(length=128, default="")
