"""Liveness for load balancers, Docker healthchecks and the desktop launcher."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.datastructures import State

from app import __version__


class Health(msgspec.Struct):
    status: str
    version: str
    database: str
    # inbound messages recovery still has to answer (after a crash); 0 when there are none
    recovering: int = 0
    # several nodes (issue 18): this node's id and how many WhatsApp sessions it runs
    node: str = ""
    sessions: int = 0


@get("/v1/health", opt={"public": True}, tags=["health"], cache=False)
async def health(state: State) -> Health:
    """Returns `ok` when the API answers and the database responds — also while the app
    still answers messages a crash left behind (`recovering`: how many are left)."""
    container = state.container
    engine = container.engine
    try:
        await engine.run_ddl("SELECT 1")
        database = "ok"
    except Exception:  # a broken DB must show here, not crash the probe
        database = "unavailable"
    return Health(
        status="ok" if database == "ok" else "degraded",
        version=__version__,
        database=database,
        recovering=container.recovery.pending,
        node=container.leases.node_id,
        sessions=len(container.leases.held),
    )
