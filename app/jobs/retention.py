"""Message retention (issue 17 item 5): part of the nightly cleanup, for the workspaces that set
`message_retention_days`.

What goes: messages created before the cut-off, with what cascades from them (their outbox
rows; a broadcast recipient keeps its row and loses only the link), and their media files
once no remaining message or broadcast names the same file (a broadcast's picture is one file
for every recipient). What stays, deliberately:

- messages still in progress however old: QUEUED (a broadcast the send budget still holds
  back; non-reply sends never expire) and PENDING_APPROVAL — deleting them would cancel a
  send or an agent's decision; they go in the first run after they settle.
- conversations, even when left empty: they hold the thread's status, assignee and resolution
  (counted by analytics), and flow runs and CSAT point at them; erasing a person is the
  contact delete's job, not retention's.
- the hourly analytics rows: they are counts, so a deleted message stays counted. The cut-off
  never passes the aggregation watermark: a message is deleted only once its hour is stored,
  so past totals never change (before the first aggregation run nothing is deleted).
- vectors: no vector is made from a message (the top-topics view embeds recent questions at
  request time and keeps nothing), so there is none to remove; the knowledge base's own
  documents and vectors are not messages and are never touched.

Deletes run in batches of `BATCH` messages, each its own short transaction, so a workspace
with millions of old messages never holds a long write lock (SQLite) or a huge transaction.
Each workspace that lost messages gets one audit row per run with the count.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.db.repos import analytics
from app.db.repos import workspace_settings as settings_repo
from app.db.tables import Broadcast, Message
from app.db.tables import WorkspaceSettings as SettingsRow
from app.db.tx import transaction
from app.domain import Actor, Clock, MessageStatus, owned_key
from app.records import AuditTrail
from app.storage import Storage

log = logging.getLogger(__name__)
BATCH = 500
# still work in progress however old: a send the budget holds back, a reply awaiting approval
UNSETTLED = [MessageStatus.QUEUED, MessageStatus.PENDING_APPROVAL]
SYSTEM = Actor(user_id=None)  # the audit row of a scheduled job: no user, no API key


@dataclass(frozen=True, slots=True)
class Swept:
    """What retention removed in one workspace in one run."""

    messages: int = 0
    files: int = 0


async def apply_retention(
    clock: Clock, storage: Storage, audit: AuditTrail, *, batch: int = BATCH
) -> dict[str, Swept]:
    """Delete every retaining workspace's messages older than its window; by workspace id."""
    rows = await SettingsRow.select(SettingsRow.workspace_id).where(
        SettingsRow.message_retention_days.is_not_null()
    )
    if not rows:
        return {}
    stored_until = await analytics.watermark()
    if stored_until is None:
        log.info("retention: waiting for the first analytics aggregation before deleting")
        return {}
    swept: dict[str, Swept] = {}
    for ws in sorted(r["workspace_id"] for r in rows):
        days = (await settings_repo.load(ws)).message_retention_days
        if days is None:
            continue
        cutoff = min(clock.now() - timedelta(days=days), stored_until)
        result = await _sweep(ws, cutoff, storage, batch)
        if result.messages:
            await audit.record(
                SYSTEM,
                "retention.delete",
                "workspace",
                ws,
                {"messages": result.messages, "files": result.files, "days": days},
                workspace_id=ws,
            )
            swept[ws] = result
    if swept:
        log.info("retention removed %s", {ws: s.messages for ws, s in swept.items()})
    return swept


async def _sweep(workspace_id: str, cutoff: datetime, storage: Storage, batch: int) -> Swept:
    messages = files = 0
    while True:
        async with transaction():
            rows = (
                await Message.select(Message.id, Message.media_url)
                .where(
                    (Message.workspace_id == workspace_id)
                    & (Message.created_at < cutoff)
                    & Message.status.not_in(UNSETTLED)
                )
                .order_by(Message.created_at)
                .limit(batch)
            )
            if rows:
                await Message.delete().where(Message.id.is_in([r["id"] for r in rows]))
        messages += len(rows)
        urls = {r["media_url"] for r in rows if r["media_url"]}
        if urls:
            files += await remove_unused_files(workspace_id, urls, storage)
        if len(rows) < batch:
            return Swept(messages, files)
        # SQLite runs statements inline on the loop's thread (app/db/sqlite_engine.py): without
        # this, a sweep of millions of rows would hold every reply and page until it ends
        await asyncio.sleep(0)


async def remove_unused_files(workspace_id: str, urls: set[str], storage: Storage) -> int:
    """Remove the files of `urls` (messages' `media_url`s, their rows just deleted) that no
    message or broadcast left in the workspace names; how many went. A broadcast's picture
    is one file for every recipient: deleting one recipient's message must not take it from
    the others. Files outside the workspace's own folder are never touched."""
    if not urls:
        return 0
    kept = await Message.select(Message.media_url).where(
        (Message.workspace_id == workspace_id) & Message.media_url.is_in(sorted(urls))
    )
    unused = urls - {r["media_url"] for r in kept} - await _broadcast_files(workspace_id)
    keys = [owned_key(workspace_id, url) for url in sorted(unused)]
    return await _delete(storage, [k for k in keys if k is not None])


async def _broadcast_files(workspace_id: str) -> set[str]:
    """The media files the workspace's broadcasts send (one file for every recipient)."""
    rows = await Broadcast.select(Broadcast.media).where(
        (Broadcast.workspace_id == workspace_id) & Broadcast.media.is_not_null()
    )
    urls = set()
    for row in rows:
        media = row["media"]
        if isinstance(media, str):
            try:
                media = json.loads(media)
            except ValueError:
                continue
        if isinstance(media, dict) and isinstance(media.get("url"), str):
            urls.add(media["url"])
    return urls


async def _delete(storage: Storage, keys: list[str]) -> int:
    gone = 0
    for key in keys:
        try:
            gone += await storage.delete(key)
        except Exception as exc:  # a file we may not remove stays; the row is gone regardless
            log.warning("retention: could not remove %s: %s", key, exc)
    return gone
