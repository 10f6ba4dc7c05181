"""The channel worker process (one per WhatsApp session) and its neonize backend."""

from app.channels.neonize_worker.main import DB_NAME, run_and_exit, worker_main

__all__ = ["DB_NAME", "run_and_exit", "worker_main"]
