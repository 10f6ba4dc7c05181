"""Contact list at 10k contacts: what one page of the dashboard's table costs.

    /work/venv/bin/python -m tests.bench.bench_contacts [contacts=10000]

`ContactService.list` (count + one page + its labels and custom fields) for each sort, deep
pages, search and label filters; and the full CSV export. SQLite file, test settings.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.container import build_container, lifespan
from app.db.tables import Contact, ContactLabel
from app.domain import Actor, Role, new_id
from tests.conftest import make_settings


async def _seed(ws: str, n: int, actor: Actor, services) -> str:  # type: ignore[no-untyped-def]
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    labels = [await services.labels.create(actor, f"label {i}", "#607D8B") for i in range(20)]
    rows, links = [], []
    for i in range(n):
        cid = new_id()
        phone = f"+49170{i:07d}"
        rows.append(
            Contact(id=cid, workspace_id=ws, jid=f"{phone[1:]}@s.whatsapp.net",
                    phone_number=phone, name=f"Person {i * 7919 % n}",
                    first_seen_at=t0, last_message_at=t0 + timedelta(seconds=i),
                    created_at=t0, updated_at=t0)
        )  # fmt: skip
        if i % 3 == 0:
            links += [
                ContactLabel(contact_id=cid, label_id=labels[(i + k) % 20].id) for k in (0, 1)
            ]
    for start in range(0, n, 500):
        await Contact.insert(*rows[start : start + 500])
    for start in range(0, len(links), 500):
        await ContactLabel.insert(*links[start : start + 500])
    return labels[0].id


async def _time(label: str, call) -> None:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(7):
        began = time.perf_counter()
        await call()
        runs.append((time.perf_counter() - began) * 1000)
    print(f"| {label} | {statistics.median(runs[1:]):.1f} ms | {max(runs[1:]):.1f} ms |")


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        container = build_container(make_settings(Path(tmp) / "data"))
        async with lifespan(container):
            services = container.services
            owner = await services.auth.register("b@example.com", "a-long-bench-pw-1", "B", "B")
            ws = owner.workspace.id  # type: ignore[union-attr]
            actor = Actor(owner.user.id).in_workspace(ws, Role.OWNER)
            label = await _seed(ws, n, actor, services)
            print(f"{n} contacts\n\n| query (25 per page) | median | max |\n| --- | --: | --: |")
            last = n // 25
            contacts = services.contact_queries
            for sort in ("recent", "name", "phone"):
                for page in (1, last):
                    await _time(
                        f"sort {sort}, page {page}",
                        lambda s=sort, p=page: contacts.list(actor, page=p, page_size=25, sort=s),
                    )
            await _time("search 'person 12'", lambda: contacts.list(actor, search="person 12"))
            await _time("label filter", lambda: contacts.list(actor, page_size=25, label=label))

            async def export() -> None:
                size = sum(
                    [len(chunk) async for chunk in services.contact_queries.export_csv(actor)]
                )
                assert size > n * 50

            await _time("CSV export, all", export)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
