"""Several app nodes on one database (issue 18 part A): a stable node id, WhatsApp session
leases (each session runs on exactly one node), events across nodes (Postgres LISTEN/NOTIFY)
and periodic jobs that run once per cluster. On SQLite there is one node: the same code runs,
and that node holds every lease."""

from app.cluster.leases import SessionLeases
from app.cluster.node import node_id_for

__all__ = ["SessionLeases", "node_id_for"]
