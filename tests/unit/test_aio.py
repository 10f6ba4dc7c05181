"""`wait_set`: the background loops' wait, which keeps a cancel that arrives as the event is
set (Python 3.11's `asyncio.wait_for` returns normally then and the loop runs on — a
`Recovery.stop` hung a test run for 600 s)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from app.aio import wait_set

APP = Path(__file__).resolve().parents[2] / "app"


async def _loop(event: asyncio.Event) -> None:
    """A background loop as the app's are: wait for a poke or a timeout, work, again."""
    while True:
        await wait_set(event, 10)
        event.clear()


async def test_a_cancel_that_arrives_with_the_event_stops_the_loop() -> None:
    event = asyncio.Event()
    task = asyncio.create_task(_loop(event))
    await asyncio.sleep(0.01)  # waiting
    event.set()  # the poke and the stop in one loop iteration
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(asyncio.shield(task), 2)  # (TimeoutError: the cancel was lost)
    assert task.cancelled()


async def test_it_says_whether_the_event_was_set() -> None:
    event = asyncio.Event()
    assert not await wait_set(event, 0.01)
    asyncio.get_running_loop().call_later(0.01, event.set)
    assert await wait_set(event, 5)
    assert await wait_set(event, 0)  # already set: at once, even with no time left
    assert await wait_set(event, -1)


def test_no_background_wait_goes_through_wait_for() -> None:
    """`asyncio.wait_for(<event or queue>.wait()/.get(), …)`: the pattern that loses a cancel."""
    pattern = re.compile(r"wait_for\(\s*self\.\w+\.(wait|get)\(\)")
    found = [
        f"{path.relative_to(APP)}:{n}"
        for path in APP.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == [], found
