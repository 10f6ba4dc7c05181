"""Retries with backoff on the app's clock, 410, switching a failing webhook off (and telling
the workspace), order held behind a retry, the SSRF guard after a redirect, the test send and
redelivery. The receiver is real (loopback); time moves by the injected clock, not by sleeping."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from app.db.tables import Notification
from tests.fakes.webhook_receiver import Receiver
from tests.integration.bots import eventually
from tests.integration.webhooks.conftest import Hooks

ANN, BOB = "+4917600000001", "+4917600000002"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def _one(hooks: Hooks, webhook_id: str, **where: object) -> dict:
    async def check() -> dict | None:
        log = await hooks.deliveries(webhook_id)
        hits = [d for d in log if all(d.get(k) == v for k, v in where.items())]
        return hits[0] if len(hits) == 1 else None

    return await eventually(check, timeout=10)


async def test_fails_twice_then_succeeds_exactly_once(hooks: Hooks) -> None:
    with Receiver([500, 503]) as receiver:
        hook = await hooks.subscribe(receiver.url, ["message.inbound"])
        await hooks.bot.simulate(ANN, "hello")
        receiver.wait_for(1)
        first = await _one(hooks, hook["id"], status="PENDING")
        assert first["attempts"] == 1 and first["statusCode"] == 500
        assert first["error"].startswith("HTTP 500")
        wait = _at(first["nextAttemptAt"]) - _at(first["lastAttemptAt"])
        assert timedelta(seconds=54) <= wait <= timedelta(seconds=66)  # ~1 min ± 10 %
        await hooks.wake()
        time.sleep(0.3)
        assert len(receiver.requests) == 1  # not before its time

        await hooks.later(70)
        receiver.wait_for(2)
        second = await _one(hooks, hook["id"], status="PENDING", statusCode=503)
        wait = _at(second["nextAttemptAt"]) - _at(second["lastAttemptAt"])
        assert timedelta(seconds=270) <= wait <= timedelta(seconds=330)  # ~5 min

        await hooks.later(340)
        got = receiver.wait_for(3)
        done = await _one(hooks, hook["id"], status="DELIVERED")
        assert done["attempts"] == 3 and done["statusCode"] == 200 and done["error"] is None
        await hooks.later(30_000)
        time.sleep(0.3)
        assert len(receiver.requests) == 3  # one success, nothing after it
    assert len({r.headers["X-Aimy-Delivery"] for r in got}) == 1  # retries keep the id
    assert len({r.body for r in got}) == 1  # the same bytes, signed anew each time
    webhook = await hooks.webhook(hook["id"])
    assert webhook["failureCount"] == 0 and webhook["isActive"]


async def test_a_receiver_that_stays_down_is_retried_then_switched_off(hooks: Hooks) -> None:
    """The default ladder (5 retries), then FAILED; ten failed attempts over an hour switch
    the webhook off, fail what waits and notify the workspace."""
    with Receiver() as closed:
        url = closed.url  # a port nothing listens on once this block ends
    hook = await hooks.subscribe(url, ["message.inbound"])
    await hooks.bot.simulate(ANN, "one")
    first = await _one(hooks, hook["id"], status="PENDING", attempts=1)
    assert first["statusCode"] is None and "connect" in first["error"]
    for attempts, delay in enumerate((60, 300, 1800, 7200, 21600), start=2):
        await hooks.later(delay * 1.2)  # the next retry is due: wait for it before moving on
        await eventually(lambda n=attempts: _attempts(hooks, hook["id"], first["id"], n))
    gone = await _one(hooks, hook["id"], status="FAILED")
    assert gone["attempts"] == 6 and gone["nextAttemptAt"] is None
    webhook = await hooks.webhook(hook["id"])
    assert webhook["isActive"] and webhook["failureCount"] == 6 and webhook["lastCalledAt"]

    for n in range(4):  # four more failed attempts (new conversations): ten in a row, over hours
        await hooks.bot.simulate(f"+49176000001{n:02d}", f"again {n}")
        await eventually(lambda n=n: _failures(hooks, hook["id"], 7 + n))
    webhook = await eventually(lambda: _switched_off(hooks, hook["id"]))
    assert webhook["failureCount"] >= 10 and "failed attempts in a row" in webhook["disabledReason"]
    log = await hooks.deliveries(hook["id"])
    assert all(d["status"] == "FAILED" for d in log)
    notes = await hooks.bot.db(
        lambda: Notification.select().where(Notification.type == "webhook_disabled")
    )
    assert len(notes) == 1 and hook["id"] in str(notes[0]["payload"])

    r = await hooks.bot.send("PATCH", f"/settings/webhooks/{hook['id']}", json={"isActive": True})
    fresh = r.json()
    assert fresh["isActive"] and fresh["failureCount"] == 0 and fresh["disabledReason"] is None


async def _attempts(hooks: Hooks, webhook_id: str, delivery_id: str, count: int) -> bool:
    """The delivery's `count`-th attempt is made and settled."""
    log = await hooks.deliveries(webhook_id)
    (row,) = [d for d in log if d["id"] == delivery_id]
    return row["status"] != "SENDING" and row["attempts"] >= count


async def _failures(hooks: Hooks, webhook_id: str, count: int) -> bool:
    return (await hooks.webhook(webhook_id))["failureCount"] >= count


async def _switched_off(hooks: Hooks, webhook_id: str) -> dict | None:
    webhook = await hooks.webhook(webhook_id)
    return webhook if not webhook["isActive"] else None


async def test_gone_stops_at_once(hooks: Hooks) -> None:
    with Receiver([410]) as receiver:
        hook = await hooks.subscribe(receiver.url, ["message.inbound"])
        await hooks.bot.simulate(ANN, "hello")
        receiver.wait_for(1)
        failed = await _one(hooks, hook["id"], status="FAILED")
        assert failed["attempts"] == 1 and failed["statusCode"] == 410
        webhook = await eventually(lambda: _switched_off(hooks, hook["id"]))
        assert "410" in webhook["disabledReason"]
        await hooks.bot.simulate(ANN, "anyone?")
        await hooks.later(100_000)
        time.sleep(0.3)
        assert len(receiver.requests) == 1


async def test_a_retry_holds_its_conversation_not_others(hooks: Hooks) -> None:
    with Receiver([500]) as receiver:
        await hooks.subscribe(receiver.url, ["message.inbound"])
        await hooks.bot.simulate(ANN, "ann 1")
        receiver.wait_for(1)  # ann 1 fails: Ann's later messages must wait behind it
        await hooks.bot.simulate(ANN, "ann 2")
        await hooks.bot.simulate(BOB, "bob 1")
        got = receiver.wait_for(2)
        time.sleep(0.3)
        assert [r.json["data"]["message"]["content"] for r in receiver.requests] == [
            "ann 1",
            "bob 1",
        ]
        await hooks.later(70)
        got = receiver.wait_for(4)
    texts = [r.json["data"]["message"]["content"] for r in got]
    assert texts == ["ann 1", "bob 1", "ann 1", "ann 2"]


async def test_private_addresses_are_refused_on_save_and_after_a_redirect(
    hooks: Hooks,
) -> None:
    bot = hooks.bot
    body = {"name": "x", "url": "http://127.0.0.2:9/hook", "events": ["*"]}
    r = await bot.send("POST", "/settings/webhooks", json=body)
    assert r.status_code == 422 and "AIMY_SSRF_ALLOW" in r.json()["detail"]
    # allowed: 127.0.0.1 only (the operator's AIMY_SSRF_ALLOW); 127.0.0.2 is the server's own
    with Receiver(host="127.0.0.2") as private:
        with Receiver([("redirect", private.url)]) as redirector:
            hook = await hooks.subscribe(redirector.url, ["message.inbound"])
            await bot.simulate(ANN, "hello")
            redirector.wait_for(1)
            refused = await _one(hooks, hook["id"], status="PENDING")
            time.sleep(0.2)
        assert private.requests == []
    assert "refused" in refused["error"] and "127.0.0.2" in refused["error"]
    assert refused["statusCode"] is None


async def test_send_test_redeliver_and_the_log(hooks: Hooks) -> None:
    bot = hooks.bot
    with Receiver([500]) as receiver:
        hook = await hooks.subscribe(receiver.url, ["message.inbound"])
        r = await bot.send("POST", f"/settings/webhooks/{hook['id']}/test")
        assert r.status_code == 200
        result = r.json()
        assert result["ok"] is False and result["statusCode"] == 500
        assert result["durationMs"] >= 0 and result["error"].startswith("HTTP 500")
        r = await bot.send("POST", f"/settings/webhooks/{hook['id']}/test")
        assert r.json()["ok"] is True and r.json()["statusCode"] == 200
        tests = receiver.wait_for(2)
        assert all(t.json["type"] == "webhook.test" for t in tests)
        assert tests[0].json["data"]["webhookId"] == hook["id"]
        log = await hooks.deliveries(hook["id"])
        assert [(d["eventType"], d["status"]) for d in log] == [
            ("webhook.test", "DELIVERED"),
            ("webhook.test", "FAILED"),  # a test is never retried …
        ]
        assert (await hooks.webhook(hook["id"]))["failureCount"] == 0  # … nor counted

        await bot.simulate(ANN, "hello")
        receiver.wait_for(3)
        original = await _one(hooks, hook["id"], eventType="message.inbound", status="DELIVERED")
        r = await bot.send(
            "POST", f"/settings/webhooks/{hook['id']}/deliveries/{original['id']}/redeliver"
        )
        assert r.status_code == 202, r.text
        again = r.json()
        assert again["redeliveryOf"] == original["id"] and again["id"] != original["id"]
        got = receiver.wait_for(4)
    first, second = got[2], got[3]
    assert first.body == second.body  # the same event (same body `id`) …
    assert first.headers["X-Aimy-Delivery"] != second.headers["X-Aimy-Delivery"]  # … anew
    log = await hooks.deliveries(hook["id"], status="DELIVERED")
    assert {d["id"] for d in log} >= {original["id"], again["id"]}
    audit = await bot.get("/settings/audit-log", action="webhook.")
    assert {"webhook.test", "webhook.redeliver"} <= {e["action"] for e in audit["items"]}

    r = await bot.send(
        "POST", f"/settings/webhooks/{hook['id']}/deliveries/c000000000000nothere/redeliver"
    )
    assert r.status_code == 404
    await bot.send("PATCH", f"/settings/webhooks/{hook['id']}", json={"isActive": False})
    r = await bot.send(
        "POST", f"/settings/webhooks/{hook['id']}/deliveries/{original['id']}/redeliver"
    )
    assert r.status_code == 409
