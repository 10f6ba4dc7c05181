"""The event bridge's payloads (app/cluster/bridge.py): events packed in order, every NOTIFY
payload under Postgres's limit, an event too large alone set aside for the spill table."""

from __future__ import annotations

import json

from app.cluster.bridge import MAX_PAYLOAD, batches, body, channel_for, decode
from app.events.bus import Event


def test_events_pack_in_order_under_the_limit_and_big_ones_go_alone() -> None:
    events = [Event("message:new", "ws", {"i": i, "text": "x" * 900}, "c") for i in range(20)]
    events.insert(7, Event("message:new", "ws", {"i": "big", "text": "y" * MAX_PAYLOAD}))
    payloads, alone = batches("node-1", [body(e) for e in events])
    assert all(len(p.encode()) < MAX_PAYLOAD for p in payloads)
    assert 2 < len(payloads) < 20  # several events share a payload
    unpacked = [e for p in payloads for e in decode(json.loads(p))]
    assert [e.data["i"] for e in unpacked] == list(range(20))
    assert unpacked[0] == events[0]
    (big,) = alone
    assert json.loads(big)["n"] == "node-1"
    assert decode(json.loads(big))[0].data["i"] == "big"


def test_the_channel_follows_the_schema() -> None:
    assert channel_for("postgresql://u:p@h/db") == "aimy_events"
    assert channel_for("postgresql://u:p@h/db?search_path=t_ab12") == "aimy_events_t_ab12"
