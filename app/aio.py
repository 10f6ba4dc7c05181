"""asyncio waits that never lose a cancel.

On Python 3.11 `asyncio.wait_for(event.wait(), timeout)` runs the wait as a task of its own
and, when that finishes in the same loop iteration as a cancel of the waiting task (the event
set as the app stops), returns normally: the cancel is lost. Every background loop here is
stopped by cancelling it, so a lost cancel leaves it running and its `stop()` waiting for ever
(seen: `Recovery.stop` hung a test for 600 s; the same race could hang a shutdown).
`asyncio.timeout` cancels the waiting task itself and tells its own cancel from anyone else's.
"""

from __future__ import annotations

import asyncio


async def wait_set(event: asyncio.Event, timeout_s: float) -> bool:
    """Wait until `event` is set, at most `timeout_s` seconds; True if it was set."""
    try:
        async with asyncio.timeout(max(0.0, timeout_s)):
            await event.wait()
    except TimeoutError:
        return False
    return True
