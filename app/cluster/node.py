"""This node's name in the cluster: `AIMY_NODE_ID`, or the host name and a hash of the data
dir — stable across restarts (a restarted node finds its own leases) and different for two
nodes on one machine (they have different data dirs)."""

from __future__ import annotations

import hashlib
import re
import socket

from app.settings import Settings

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def node_id_for(settings: Settings) -> str:
    if settings.node_id:
        return settings.node_id[:128]
    host = _UNSAFE.sub("-", socket.gethostname())[:64] or "node"
    digest = hashlib.sha256(str(settings.data_dir.resolve()).encode()).hexdigest()[:8]
    return f"{host}-{digest}"
