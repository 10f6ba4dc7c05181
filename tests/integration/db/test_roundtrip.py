"""Values come back as the Python types that went in, on both engines: enums (as their
string values), JSON (text by default, parsed with load_json), aware UTC datetimes,
booleans (including NULL), floats and the seed defaults."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from piccolo.engine.base import Engine

from app.db.repos import workspace_settings
from app.db.tables import Broadcast, Message, WorkspaceSettings
from app.domain import BroadcastStatus, BroadcastTarget, MediaType, Sentiment
from app.domain.workspace_settings import DEFAULTS
from tests.integration.db.graph import build


async def test_enum_columns_store_the_seed_values(db: Engine) -> None:
    g = await build()
    row = await Broadcast(
        workspace_id=g.workspace.id, name="b", message="m", target_type=BroadcastTarget.LABEL
    ).save()
    got = await Broadcast.select().where(Broadcast.id == row[0]["id"]).first()
    assert got["target_type"] == "LABEL" == BroadcastTarget.LABEL
    assert BroadcastStatus(got["status"]) is BroadcastStatus.DRAFT


async def test_json_lists_and_objects_round_trip(db: Engine) -> None:
    g = await build()
    stats = {"sent": 3, "delivered": 2, "nested": {"ok": True, "names": ["a", "é"]}}
    broadcast = Broadcast(
        workspace_id=g.workspace.id,
        name="b",
        message="m",
        target_type=BroadcastTarget.CONTACTS,
        contact_ids=[g.contact.id],
        stats=stats,
    )
    await broadcast.save()
    query = Broadcast.select(Broadcast.contact_ids, Broadcast.label_ids, Broadcast.stats)
    raw = await query.where(Broadcast.id == broadcast.id).first()
    assert json.loads(raw["contact_ids"]) == [g.contact.id]  # text unless asked to parse
    parsed = await query.where(Broadcast.id == broadcast.id).output(load_json=True).first()
    assert parsed == {"contact_ids": [g.contact.id], "label_ids": [], "stats": stats}
    obj = await Broadcast.objects().where(Broadcast.id == broadcast.id).output(load_json=True)
    assert obj[0].stats == stats


async def test_timestamps_are_aware_utc_instants(db: Engine) -> None:
    g = await build()
    india = timezone(timedelta(hours=5, minutes=30))
    moment = datetime(2026, 3, 1, 9, 15, 30, 123456, tzinfo=india)
    await Message.update({Message.read_at: moment}).where(Message.id == g.message.id)
    got = await Message.select(Message.read_at, Message.created_at).first()
    assert got["read_at"] == moment and got["read_at"].utcoffset() == timedelta(0)
    assert got["created_at"].tzinfo is not None
    assert abs(datetime.now(UTC) - got["created_at"]) < timedelta(minutes=5)
    earlier = await Message.count().where(Message.read_at < moment + timedelta(seconds=1))
    assert earlier == 1  # comparisons work on the stored form too


async def test_booleans_floats_and_nullable_values(db: Engine) -> None:
    g = await build()
    await Message.update(
        {
            Message.is_approved: False,
            Message.confidence: 0.7,
            Message.media_type: MediaType.AUDIO,
            Message.sentiment: Sentiment.NEGATIVE,
            Message.kb_chunks_used: ["c1", "c2"],
        }
    ).where(Message.id == g.message.id)
    got = await Message.select().where(Message.id == g.message.id).output(load_json=True).first()
    assert got["is_approved"] is False and got["is_read"] is False
    assert got["confidence"] == 0.7 and got["media_type"] == "AUDIO"
    assert got["kb_chunks_used"] == ["c1", "c2"] and got["sentiment"] == "NEGATIVE"
    await Message.update({Message.is_approved: None}).where(Message.id == g.message.id)
    assert (await Message.select(Message.is_approved).first())["is_approved"] is None


async def test_settings_defaults_match_the_seed_with_an_offline_provider(db: Engine) -> None:
    g = await build()
    got = (
        await WorkspaceSettings.select()
        .where(WorkspaceSettings.workspace_id == g.workspace.id)
        .first()
    )
    assert got["bot_name"] == "Assistant" and got["ai_provider"] == "extractive"
    assert got["ai_model"] == "" and got["ai_max_tokens"] == 1024
    assert got["ai_temperature"] == 0.7 and got["confidence_threshold"] == 0.6
    assert got["default_language"] == "auto" and got["max_conversation_history"] == 20
    assert got["approval_mode_default"] is False and got["business_hours_enabled"] is False
    assert got["business_hours_config"] is None and got["ai_base_url"] is None
    # the typed settings read back exactly the declared defaults (declared once)
    assert workspace_settings.from_row(got) == DEFAULTS
    assert await workspace_settings.load(g.workspace.id) == DEFAULTS  # the hot path's SQL


async def test_database_side_defaults_work_for_raw_inserts(db: Engine) -> None:
    """Rows written by raw SQL (or a later migration's backfill) get the same defaults."""
    from piccolo.querystring import QueryString

    from app.db.tables import Workspace

    await db.run_querystring(
        QueryString("INSERT INTO workspaces (id, name, slug) VALUES ({}, {}, {})", "w1", "W", "w")
    )
    got = await Workspace.select().where(Workspace.id == "w1").first()
    assert got["plan"] == "FREE" and got["created_at"].tzinfo is not None


async def test_updated_at_moves_on_save_and_update(db: Engine) -> None:
    from app.db.tables import Workspace

    g = await build()
    created = g.workspace.updated_at
    g.workspace.name = "Renamed"
    await g.workspace.save()
    saved = (await Workspace.select(Workspace.updated_at).first())["updated_at"]
    await Workspace.update({Workspace.name: "Again"}).where(Workspace.id == g.workspace.id)
    updated = (await Workspace.select(Workspace.updated_at).first())["updated_at"]
    assert created < saved < updated


async def test_notifications_expire_after_seven_days_by_default(db: Engine) -> None:
    from app.db.tables import Notification

    g = await build()
    got = await Notification.select().where(Notification.workspace_id == g.workspace.id).first()
    ttl = got["expires_at"] - got["created_at"]
    assert abs(ttl - timedelta(days=7)) < timedelta(minutes=1)
