"""Whisper models over the API: list, download on request, choose per workspace, delete."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.domain import Role
from tests.fakes.whisper_hub import Hub, whisper_hub
from tests.integration.api.conftest import Account, Api, _api

URL = "/api/v1/settings/speech-models"


@pytest.fixture
def hub() -> Iterator[Hub]:
    with whisper_hub() as hub:
        yield hub


@pytest.fixture
async def api(tmp_path: Path, hub: Hub) -> AsyncIterator[Api]:
    async for a in _api(
        tmp_path / "data",
        None,
        speech_models_url=hub.url,
        ssrf_allow=("127.0.0.1",),
        model_downloads=True,  # a server's operator opted in
    ):
        yield a


async def listed(api: Api, who: Account) -> dict[str, dict[str, Any]]:
    r = await api.client.get(URL, headers=who.headers())
    assert r.status_code == 200, r.text
    return {m["name"]: m for m in r.json()}


async def installed(api: Api, who: Account, name: str) -> dict[str, Any]:
    for _ in range(300):
        model = (await listed(api, who))[name]
        if (model["download"] or {}).get("state") in ("done", "failed"):
            return model
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} did not finish downloading")


async def test_download_choose_and_delete(api: Api) -> None:
    owner = await api.register()
    models = await listed(api, owner)
    assert next(iter(models)) == "tiny.en" and models["tiny.en"]["builtin"]
    assert models["tiny.en"]["installed"] and not models["tiny.en"]["multilingual"]
    assert not models["base"]["installed"] and models["base"]["downloadMb"] == 145
    r = await api.client.post(f"{URL}/tiny/download", headers=owner.headers())
    assert r.status_code == 202 and r.json()["state"] == "downloading"
    tiny = await installed(api, owner, "tiny")
    assert tiny["installed"] and tiny["multilingual"] and tiny["download"]["state"] == "done"
    assert tiny["sizeBytes"] > 1_000_000
    r = await api.client.patch(
        "/api/v1/settings", json={"speechModel": "tiny"}, headers=owner.headers()
    )
    assert r.status_code == 200 and r.json()["speechModel"] == "tiny"
    r = await api.client.delete(f"{URL}/tiny", headers=owner.headers())
    assert r.status_code == 204
    assert not (await listed(api, owner))["tiny"]["installed"]
    settings = (await api.client.get("/api/v1/settings", headers=owner.headers())).json()
    assert settings["speechModel"] is None  # back to the default, not a dangling name


async def test_choosing_a_model_that_is_not_installed_is_refused(api: Api) -> None:
    owner = await api.register()
    r = await api.client.patch(
        "/api/v1/settings", json={"speechModel": "small"}, headers=owner.headers()
    )
    assert r.status_code == 422 and "not installed" in r.json()["detail"]
    r = await api.client.post(f"{URL}/whisper-9000/download", headers=owner.headers())
    assert r.status_code == 404 and "unknown whisper model" in r.json()["detail"]
    r = await api.client.post(f"{URL}/tiny.en/download", headers=owner.headers())
    assert r.status_code == 409
    r = await api.client.delete(f"{URL}/tiny.en", headers=owner.headers())
    assert r.status_code == 422 and "built-in" in r.json()["detail"]


async def test_a_failed_download_is_reported(api: Api, hub: Hub) -> None:
    owner = await api.register()
    hub.broken.add("Systran/faster-whisper-base")
    await api.client.post(f"{URL}/base/download", headers=owner.headers())
    base = await installed(api, owner, "base")
    assert not base["installed"] and "not a usable whisper model" in base["download"]["error"]


async def test_agents_cannot_download_and_others_keep_their_model(api: Api) -> None:
    owner = await api.register()
    agent = await api.member(owner, Role.AGENT)
    r = await api.client.post(f"{URL}/tiny/download", headers=agent.headers())
    assert r.status_code == 403
    r = await api.client.get(URL, headers=agent.headers())
    assert r.status_code == 403  # settings are not for agents (seed §14)
    await api.client.post(f"{URL}/tiny/download", headers=owner.headers())
    await installed(api, owner, "tiny")
    other = await api.register("Other", "Beta Ltd")
    r = await api.client.patch(
        "/api/v1/settings", json={"speechModel": "tiny"}, headers=other.headers()
    )
    assert r.status_code == 200
    r = await api.client.delete(f"{URL}/tiny", headers=owner.headers())
    assert r.status_code == 409 and "1 other workspace" in r.json()["detail"]


async def test_a_server_refuses_downloads_unless_the_operator_allows_them(make_api) -> None:  # type: ignore[no-untyped-def]
    async for api in make_api(headless=True, port=1):  # a server, no AIMY_MODEL_DOWNLOADS
        owner = await api.register()
        r = await api.client.post(f"{URL}/tiny/download", headers=owner.headers())
        assert r.status_code == 403 and "AIMY_MODEL_DOWNLOADS" in r.json()["detail"]
        r = await api.client.post(
            "/api/v1/settings/models/download",
            json={"url": "https://example.com/m.gguf"},
            headers=owner.headers(),
        )
        assert r.status_code == 403 and "operator" in r.json()["detail"]
        assert (await api.client.get(URL, headers=owner.headers())).status_code == 200


async def test_download_progress_is_shown_only_to_the_workspace_that_started_it(api: Api) -> None:
    a, b = await api.register("Alice"), await api.register("Bob")
    r = await api.client.post(f"{URL}/tiny/download", headers=a.headers())
    assert r.status_code == 202
    assert (await installed(api, a, "tiny"))["download"]["state"] == "done"
    theirs = (await listed(api, b))["tiny"]
    assert theirs["installed"] and theirs["download"] is None  # the file is shared, not the job
