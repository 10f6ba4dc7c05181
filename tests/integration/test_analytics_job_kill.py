"""The analytics-aggregate job SIGKILLed mid-run (issue 17 item 2): a second run resumes from the
watermark and the hourly rows equal the raw counts exactly — nothing lost, nothing twice.

The job runs in a child process (one transaction per hour here, so the kill lands among many
commits); the parent kills it once it has stored a few hours, runs the job again itself and
compares, on SQLite and Postgres.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from piccolo.engine.base import Engine

from app.db.repos import analytics as repo
from app.db.tables import Contact, Conversation, Message, Workspace
from app.domain import new_id
from app.domain.analytics import Metric, total
from app.jobs.analytics import aggregate_hours

ROOT = Path(__file__).resolve().parents[2]
HOURS = 240
START = (datetime.now(UTC) - timedelta(days=12)).replace(minute=0, second=0, microsecond=0)
NOW = START + timedelta(hours=HOURS, minutes=30)
CHILD = """
import asyncio, sys
from datetime import datetime, timedelta
from app.db import bind_tables, create_engine, open_engine
from app.db.repos import analytics as repo
from app.jobs import analytics as job

class At:
    def now(self):
        return datetime.fromisoformat(sys.argv[2])

async def main():
    engine = create_engine(sys.argv[1])
    bind_tables(engine)
    await open_engine(engine)
    real = repo.replace_hours

    async def replace(start, end, counts):
        await real(start, end, counts)
        print("stored", end.isoformat(), flush=True)

    job.analytics.replace_hours = replace
    await job.aggregate_hours(At(), timedelta(hours=1))

asyncio.run(main())
"""


class At:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


async def _seed() -> str:
    ws = Workspace(name="Shop", slug=f"shop-{new_id()[:8]}")
    await Workspace.insert(ws)
    contacts, conversations, messages = [], [], []
    for h in range(HOURS):
        at = START + timedelta(hours=h, minutes=10)
        cid, conv = new_id(), new_id()
        contacts.append(Contact(id=cid, workspace_id=ws.id, jid=f"{cid}@s", phone_number="1",
                                created_at=at))  # fmt: skip
        conversations.append(Conversation(id=conv, workspace_id=ws.id, contact_id=cid,
                                          created_at=at))  # fmt: skip
        for i, sender in enumerate(("CONTACT", "BOT", "CONTACT")[: 1 + h % 3]):
            direction = "INBOUND" if sender == "CONTACT" else "OUTBOUND"
            messages.append(Message(id=new_id(), workspace_id=ws.id, conversation_id=conv,
                                    direction=direction, sender_type=sender, content="q",
                                    created_at=at + timedelta(seconds=i)))  # fmt: skip
    for table, rows in ((Contact, contacts), (Conversation, conversations), (Message, messages)):
        for i in range(0, len(rows), 200):
            await table.insert(*rows[i : i + 200])
    return ws.id


async def test_a_killed_run_then_a_rerun_gives_exact_counts(db: Engine, db_url: str) -> None:
    ws = await _seed()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, NOW.isoformat()],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    for _ in range(30):  # let it store some hours, then kill it in the middle of the rest
        assert child.stdout.readline().startswith("stored"), "the job ended early"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    mark = await repo.watermark()
    assert mark is not None and START + timedelta(hours=30) <= mark < START + timedelta(hours=HOURS)

    assert await aggregate_hours(At(NOW)) > 0  # resumes at the watermark
    assert await repo.watermark() == START + timedelta(hours=HOURS)
    end = START + timedelta(hours=HOURS)
    kept = await repo.stored_counts(ws, START, end)
    raw = (await repo.raw_counts(START, end, ws))[ws]
    assert sorted(map(repr, kept)) == sorted(map(repr, raw))
    sent = sum(1 + h % 3 for h in range(HOURS))
    assert total(kept, Metric.MESSAGES) == sent == await Message.count()
    assert total(kept, Metric.NEW_CONTACTS) == HOURS
