"""Group commit (`app.pipeline.batches`): a lone item is written at once; what arrives while
a batch is written goes together in the next one; each caller hears its own batch's fate."""

from __future__ import annotations

import asyncio

import pytest

from app.pipeline.batches import Batches


class Writer:
    """Records each batch; holds a write open until the test releases it."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, list[int]]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_on: int | None = None

    async def __call__(self, key: str, items: list[int]) -> None:
        self.batches.append((key, items))
        await self.gate.wait()
        if self.fail_on is not None and self.fail_on in items:
            raise ValueError(f"item {self.fail_on}")


async def test_a_lone_item_is_written_at_once() -> None:
    writer = Writer()
    await asyncio.wait_for(Batches(writer).submit("s", 1), 1)
    assert writer.batches == [("s", [1])]


async def test_what_arrives_during_a_write_goes_in_the_next_batch() -> None:
    writer = Writer()
    batches = Batches(writer)
    writer.gate.clear()
    first = asyncio.create_task(batches.submit("s", 1))
    await asyncio.sleep(0)  # the first write is under way
    rest = [asyncio.create_task(batches.submit("s", i)) for i in range(2, 6)]
    other = asyncio.create_task(batches.submit("t", 9))  # another key: its own batches
    await asyncio.sleep(0.01)
    writer.gate.set()
    await asyncio.gather(first, *rest, other)
    assert sorted(writer.batches) == [("s", [1]), ("s", [2, 3, 4, 5]), ("t", [9])]


async def test_a_failed_batch_fails_its_callers_and_the_next_batch_still_runs() -> None:
    writer = Writer()
    batches = Batches(writer)
    writer.gate.clear()
    writer.fail_on = 2
    first = asyncio.create_task(batches.submit("s", 1))
    await asyncio.sleep(0)
    failing = [asyncio.create_task(batches.submit("s", i)) for i in (2, 3)]
    await asyncio.sleep(0)
    writer.gate.set()
    await first
    for task in failing:
        with pytest.raises(ValueError, match="item 2"):
            await task
    await asyncio.wait_for(batches.submit("s", 4), 1)  # the key is free again
    assert writer.batches[-1] == ("s", [4])


async def test_a_caller_that_gives_up_strands_nobody() -> None:
    writer = Writer()
    batches = Batches(writer)
    writer.gate.clear()
    impatient = asyncio.create_task(batches.submit("s", 1))
    await asyncio.sleep(0)
    patient = asyncio.create_task(batches.submit("s", 2))
    await asyncio.sleep(0)
    impatient.cancel()  # its write goes on: the batch is written by a task of its own
    writer.gate.set()
    await asyncio.wait_for(patient, 1)
    assert writer.batches == [("s", [1]), ("s", [2])]
    assert impatient.cancelled()
