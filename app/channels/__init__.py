"""WhatsApp channels: the port, the simulator and neonize adapters, and their supervision.

Importing this package never imports neonize (only the worker process does).
"""

from app.channels.backoff import SEED_BACKOFF, Restart, SupervisorConfig, backoff_delay
from app.channels.base import Channel
from app.channels.errors import ChannelError, ChannelRejected, ChannelUnavailable
from app.channels.events import AlertLevel, ChannelAlert, ChannelEvents
from app.channels.manager import ChannelManager, ChannelSpec, build_channel
from app.channels.neonize_channel import NeonizeChannel, worker_command
from app.channels.qr import qr_data_url
from app.channels.simulator import SentMessage, SimulatorChannel
from app.channels.supervisor import Supervisor
from app.channels.vault import CredentialVault, VaultError
from app.channels.worker_process import WorkerError, WorkerProcess

__all__ = [
    "SEED_BACKOFF",
    "AlertLevel",
    "Channel",
    "ChannelAlert",
    "ChannelError",
    "ChannelEvents",
    "ChannelManager",
    "ChannelRejected",
    "ChannelSpec",
    "ChannelUnavailable",
    "CredentialVault",
    "NeonizeChannel",
    "Restart",
    "SentMessage",
    "SimulatorChannel",
    "Supervisor",
    "SupervisorConfig",
    "VaultError",
    "WorkerError",
    "WorkerProcess",
    "backoff_delay",
    "build_channel",
    "qr_data_url",
    "worker_command",
]
