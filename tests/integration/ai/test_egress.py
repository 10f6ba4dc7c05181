"""Issue 13.2: `aiBaseUrl` was a server-side request to anywhere — loopback, link-local cloud
metadata, private ranges — carrying the workspace's AI key, and "Test model" echoed what the
server answered. Every such URL now goes through the one SSRF guard (app/net/ssrf.py) when it
is saved and again when it is called (after DNS and after every redirect)."""

from __future__ import annotations

from pathlib import Path

from app.db.tables import WorkspaceSettings
from tests.fakes.llm_server import FakeLLMServer, redirect, reply, status
from tests.integration.ai.conftest import make_ai_bot

BOB = "+15550000002"
SECRET_BODY = b'{"error": {"message": "INTERNAL-SECRET-4242 root:x:0:0:root:/root:/bin/bash"}}'


async def test_private_base_urls_are_refused_when_saved(
    tmp_path: Path, llm_server: FakeLLMServer
) -> None:
    port = llm_server.url.rsplit(":", 1)[1]
    refused = [
        f"http://127.0.0.1:{port}/v1",
        f"http://localhost:{port}/v1",  # a name that resolves to loopback
        "http://169.254.169.254/latest/meta-data",  # cloud metadata (link-local)
        "http://10.1.2.3/v1",
        "http://172.16.0.1/v1",
        "http://192.168.0.10:11434/v1",
        f"http://[::1]:{port}/v1",
        f"http://[::ffff:127.0.0.1]:{port}/v1",  # IPv4-mapped IPv6
        "http://[fe80::1]/v1",
        "http://0.0.0.0:8080/v1",
    ]
    async for bot in make_ai_bot(tmp_path)():
        for url in refused:
            r = await bot.send("PATCH", "/settings", json={"aiBaseUrl": url})
            assert r.status_code == 422, (url, r.text)
            assert "refused" in r.json()["detail"] and "AIMY_SSRF_ALLOW" in r.json()["detail"]
        assert (await bot.get("/settings"))["aiBaseUrl"] is None
    assert llm_server.requests == []


async def test_a_base_url_stored_earlier_is_refused_when_called(
    tmp_path: Path, llm_server: FakeLLMServer
) -> None:
    """Saved before this check existed (or its DNS changed since): the call itself refuses."""
    async for bot in make_ai_bot(tmp_path)(llm_provider_override=None, llm_max_retries=1):
        await bot.patch_settings(aiProvider="openai", aiModel="gpt-4o-mini", aiApiKey="sk-ws-1234")

        await bot.db(_store_base_url(bot.owner.workspace_id, llm_server.openai_url))
        r = await bot.send("POST", "/settings/test-model")
        assert r.status_code == 200 and r.json()["ok"] is False
        assert "refused" in r.json()["error"]
        await bot.simulate(BOB, "Hello?")
        await bot.bot_messages(BOB)  # a holding reply, and the team is told
        assert (await bot.conversation_of(BOB))["status"] == "WAITING_HUMAN"
    assert llm_server.requests == []  # the key never left


async def test_a_redirect_to_loopback_is_refused(tmp_path: Path, llm_server: FakeLLMServer) -> None:
    """The operator allow-listed one name; its server redirects to loopback by address."""
    port = llm_server.url.rsplit(":", 1)[1]
    async for bot in make_ai_bot(tmp_path)(
        llm_provider_override=None, llm_max_retries=0, ssrf_allow=("localhost",)
    ):
        await bot.patch_settings(
            aiProvider="openai", aiModel="gpt-4o-mini", aiApiKey="sk-ws-1234",
            aiBaseUrl=f"http://localhost:{port}/v1",
        )  # fmt: skip
        llm_server.script(redirect(f"http://127.0.0.1:{port}/v1/chat/completions"))
        r = await bot.send("POST", "/settings/test-model")
        assert r.json()["ok"] is False and "refused" in r.json()["error"]
        assert len(llm_server.requests) == 1  # the redirect was not followed


async def test_allow_list_passes_the_fake_server_and_no_body_is_echoed(
    tmp_path: Path, llm_server: FakeLLMServer
) -> None:
    async for bot in make_ai_bot(tmp_path)(
        llm_provider_override=None, llm_max_retries=0, ssrf_allow=("127.0.0.1",)
    ):
        await bot.patch_settings(
            aiProvider="openai", aiModel="gpt-4o-mini", aiApiKey="sk-ws-1234",
            aiBaseUrl=llm_server.openai_url,
        )  # fmt: skip
        llm_server.script(status(400, body=SECRET_BODY))
        r = await bot.send("POST", "/settings/test-model")
        body = r.json()
        assert body["ok"] is False and "HTTP 400" in body["error"]
        assert "INTERNAL-SECRET" not in r.text and "root:" not in r.text
        llm_server.script(status(404, body=SECRET_BODY), reply("Hi, I am your bot."))
        assert "INTERNAL-SECRET" not in (await bot.send("POST", "/settings/test-model")).text
        r = await bot.send("POST", "/settings/test-model")
        assert r.json()["ok"] is True and r.json()["sample"] == "Hi, I am your bot."


def _store_base_url(workspace_id: str, url: str):  # type: ignore[no-untyped-def]
    """A query writing the base URL past the service (as a row saved before the check)."""

    async def store() -> None:
        await WorkspaceSettings.update({WorkspaceSettings.ai_base_url: url}).where(
            WorkspaceSettings.workspace_id == workspace_id
        )

    return store
