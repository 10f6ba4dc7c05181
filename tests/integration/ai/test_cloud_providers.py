"""Anthropic and OpenAI end to end: settings API → engine → official SDK over HTTP to the fake
server → reply on the simulated phone. No provider override: the workspace settings decide."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.llm_server import FakeLLMServer, reply, status
from tests.integration.ai.conftest import make_ai_bot, wait_sent

BOB = "+15550000002"


@pytest.mark.parametrize(
    "provider, model", [("anthropic", "claude-haiku-4-5"), ("openai", "gpt-4o-mini")]
)
async def test_cloud_provider_end_to_end(
    tmp_path: Path, llm_server: FakeLLMServer, provider: str, model: str
) -> None:
    async for bot in make_ai_bot(tmp_path)(
        llm_provider_override=None, llm_max_retries=1, ssrf_allow=("127.0.0.1",)
    ):
        url = llm_server.url if provider == "anthropic" else llm_server.openai_url
        body = await bot.patch_settings(
            aiProvider=provider, aiModel=model, aiBaseUrl=url, aiApiKey="sk-fake-key-123456"
        )
        assert body["aiApiKey"] == "sk-…3456"
        llm_server.script(
            status(500),  # one retry, then the answer
            reply("Hello from the **cloud**."),
            reply('{"confidence": 0.93, "reason": "grounded"}'),
        )
        await bot.simulate(BOB, "Hi, what can you do?")
        (sent,) = await wait_sent(bot, BOB, 1)
        assert sent == "Hello from the *cloud*."
        (msg,) = await bot.bot_messages(BOB)
        assert msg["aiProvider"] == provider and msg["aiModel"] == model
        assert msg["confidence"] == 0.93 and msg["tokensIn"] > 0 and msg["tokensOut"] > 0
        assert msg["costUsd"] is not None and msg["costUsd"] > 0
        answer_req = llm_server.requests[1]
        auth = answer_req.headers.get("x-api-key") or answer_req.headers.get("authorization")
        assert "sk-fake-key-123456" in (auth or "")  # the key from the secrets store
        if provider == "anthropic":
            assert "You are Assistant" in str(answer_req.json["system"])
        else:
            assert answer_req.json["messages"][0]["role"] == "system"

        # the provider stays down: holding reply + escalation, never a silent drop
        llm_server.script(status(503), status(503))
        await bot.simulate(BOB, "And now?")
        texts = await wait_sent(bot, BOB, 2)
        assert texts[-1].startswith("Sorry, I can't answer right now.")
        assert (await bot.conversation_of(BOB))["status"] == "WAITING_HUMAN"


async def test_voice_notes_transcribed_by_the_workspace_openai_account(
    tmp_path: Path, llm_server: FakeLLMServer
) -> None:
    """`speechModel: "openai"` sends the voice note to the workspace's OpenAI(-compatible)
    server with its own key; choosing it without the OpenAI provider is refused."""
    async for bot in make_ai_bot(tmp_path)(
        llm_provider_override=None, llm_max_retries=1, ssrf_allow=("127.0.0.1",)
    ):
        r = await bot.send("PATCH", "/settings", json={"speechModel": "openai"})
        assert r.status_code == 422 and "OpenAI provider" in r.json()["detail"]
        await bot.patch_settings(
            aiProvider="openai", aiModel="gpt-4o-mini", aiBaseUrl=llm_server.openai_url,
            aiApiKey="sk-voice-key-123456", speechModel="openai",
        )  # fmt: skip
        llm_server.script(
            reply("do you open on sundays"),  # the transcription
            reply("Yes, from ten to two."),
            reply('{"confidence": 0.9, "reason": "grounded"}'),
        )
        voice = {"mimeType": "audio/ogg; codecs=opus", "base64": "T2dnUw==", "type": "AUDIO"}
        await bot.simulate(BOB, media=voice)
        (sent,) = await wait_sent(bot, BOB, 1)
        assert sent == "Yes, from ten to two."
        heard = llm_server.requests[0]
        assert heard.path == "/v1/audio/transcriptions"
        assert "sk-voice-key-123456" in (heard.headers.get("authorization") or "")
        inbound = (await bot.conversation_of(BOB))["messages"][0]
        assert inbound["mediaTranscript"] == "do you open on sundays"
