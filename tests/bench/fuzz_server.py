"""`python -m app serve`, with every real WhatsApp session played by the simulator: an API
fuzzer creates sessions by the dozen, and each real one would start a worker process that
tries to reach WhatsApp. Everything else is the real server."""

from __future__ import annotations

import sys
from typing import Any

from app.__main__ import main
from app.channels import manager
from app.channels.events import ChannelEvents
from app.channels.simulator import SimulatorChannel


def _build(spec: manager.ChannelSpec, events: ChannelEvents) -> Any:
    return SimulatorChannel(events)


if __name__ == "__main__":
    manager.build_channel = _build  # type: ignore[assignment]
    sys.exit(main(sys.argv[1:]))
