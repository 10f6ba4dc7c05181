"""The loop watch names the code that blocks the event loop, and how long it did."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from app.loop_watch import LoopWatch


def _block_the_loop() -> None:
    time.sleep(0.6)


async def test_a_blocked_loop_is_logged_with_the_blocking_code(
    caplog: pytest.LogCaptureFixture,
) -> None:
    watch = LoopWatch(threshold_s=0.2, tick_s=0.05)
    watch.start()
    await asyncio.sleep(0.1)
    with caplog.at_level(logging.WARNING, logger="app.loop_watch"):
        _block_the_loop()
        await asyncio.sleep(0.3)
    await watch.stop()
    blocked = [r.getMessage() for r in caplog.records if "blocked" in r.getMessage()]
    assert blocked and "_block_the_loop" in blocked[0]
    assert len(watch.stalls) == 1 and 0.4 < watch.stalls[0] < 1.5
