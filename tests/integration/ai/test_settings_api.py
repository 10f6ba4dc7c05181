"""`GET/PATCH /api/v1/settings` and `POST /settings/test-model`."""

from __future__ import annotations

from tests.integration.ai.conftest import AIBot

KEY = "sk-test-0123456789abcd"


async def test_defaults_are_camel_case_and_complete(ai_bot: AIBot) -> None:
    body = await ai_bot.get("/settings")
    assert body["botName"] == "Assistant" and body["aiProvider"] == "extractive"
    assert body["aiApiKey"] is None and body["maxConversationHistory"] == 20
    for name in ("aiBaseUrl", "confidenceThreshold", "businessHoursConfig", "awayMessage"):
        assert name in body
    # the no-model reader's send floors (read only): a lower threshold never sends below them
    floors = body["noModelSendFloors"]
    assert set(floors) == {"faq", "passage"} and body["confidenceThreshold"] < floors["faq"] < 1


async def test_api_key_is_write_only_and_masked(ai_bot: AIBot) -> None:
    bot = ai_bot
    body = await bot.patch_settings(aiProvider="openai", aiModel="gpt-4o-mini", aiApiKey=KEY)
    assert body["aiApiKey"] == "sk-…abcd" and KEY not in str(body)
    assert bot.api.container.secrets.get(f"ai_api_key:{bot.owner.workspace_id}") == KEY
    assert (await bot.get("/settings"))["aiApiKey"] == "sk-…abcd"
    body = await bot.patch_settings(aiApiKey="")
    assert body["aiApiKey"] is None
    log = await bot.get("/settings/audit-log", action="settings.")
    fields = [e["metadata"]["fields"] for e in log["items"]]
    assert ["ai_api_key"] in fields and ["ai_api_key", "ai_model", "ai_provider"] in fields
    assert KEY not in str(log)


async def test_partial_update_and_null_clears(ai_bot: AIBot) -> None:
    bot = ai_bot
    await bot.patch_settings(botPersona="a pirate", awayMessage="Closed")
    body = await bot.patch_settings(awayMessage=None, aiTemperature=1.2)
    assert body["botPersona"] == "a pirate" and body["awayMessage"] is None
    assert body["aiTemperature"] == 1.2


async def test_validation_rejects_bad_values(ai_bot: AIBot) -> None:
    bad = [
        {"aiProvider": "gpt"},
        {"aiTemperature": 2.5},
        {"confidenceThreshold": 1.1},
        {"maxConversationHistory": 0},
        {"maxConversationHistory": 101},
        {"aiBaseUrl": "ftp://x"},
        {"unknownField": 1},
        {"businessHoursConfig": {"timezone": "Nowhere/City", "days": {}}},
        {"businessHoursConfig": {"timezone": "UTC", "days": {"mon": [["25:00", "26:00"]]}}},
        {"businessHoursEnabled": True},  # enabled without a grid
    ]
    for body in bad:
        r = await ai_bot.send("PATCH", "/settings", json=body)
        assert 400 <= r.status_code < 500, (body, r.status_code, r.text)
    assert (await ai_bot.get("/settings"))["aiTemperature"] == 0.7  # nothing applied


async def test_test_model_reports_latency_and_sample(ai_bot: AIBot) -> None:
    r = await ai_bot.send("POST", "/settings/test-model")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] is True and body["latencyMs"] >= 0 and body["sample"]
    assert body["provider"] == "fake"
    ai_bot.script(fake_replies=("!unavailable",))
    body = (await ai_bot.send("POST", "/settings/test-model")).json()
    assert body["ok"] is False and "fake provider down" in body["error"]
