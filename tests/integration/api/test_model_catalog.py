"""The recommended-model catalog over the API: one click downloads a model from a (fake) hub at
a pinned commit, verifies it, switches the workspace to it, and the bot answers with it."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.llm import catalog
from tests.fakes.gguf import gemma_gguf
from tests.fakes.gguf_hub import COMMIT, GgufHub, gguf_hub
from tests.integration.api.conftest import Account, Api, _api
from tests.integration.bots import _bot, eventually

URL = "/api/v1/settings/models"
KEY = "gemma-3-270m-it"  # the catalog name the hub serves the packaged 270M model under


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return gemma_gguf(tmp_path_factory.mktemp("gguf"))


@pytest.fixture
def hub(packaged: Path) -> Iterator[GgufHub]:
    with gguf_hub(packaged) as hub:
        yield hub


@pytest.fixture
def served_entry(hub: GgufHub, monkeypatch: pytest.MonkeyPatch) -> catalog.CatalogModel:
    """The catalog entry as if its checksum were the packaged file's (the hub serves that file
    under the entry's name); everything else — repo, file, family — is the real entry's."""
    entry = dataclasses.replace(catalog.CATALOG[KEY], sha256=hub.sha256, size_bytes=hub.size)
    monkeypatch.setitem(catalog.CATALOG, KEY, entry)
    return entry


@pytest.fixture
async def api(tmp_path: Path, hub: GgufHub) -> AsyncIterator[Api]:
    async for a in _api(
        tmp_path / "data",
        None,
        gguf_models_url=hub.url,
        ssrf_allow=("127.0.0.1",),  # the fake hub is on loopback, like an operator's mirror
        model_downloads=True,
        llm_provider_override=None,  # the workspace's own provider, not the test fake
    ):
        yield a


async def finished(api: Api, who: Account, key: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        r = await api.client.get(f"{URL}/catalog", headers=who.headers())
        model = next(m for m in r.json() if m["key"] == key)
        state = (model["download"] or {}).get("state")
        return model if state in ("done", "failed") else None

    return await eventually(check, timeout=120)


def models_dir(api: Api) -> Path:
    return api.container.settings.data_dir / "models"


async def settings_of(api: Api, who: Account) -> dict[str, Any]:
    return (await api.client.get("/api/v1/settings", headers=who.headers())).json()


async def test_catalog_lists_the_recommended_models(api: Api) -> None:
    owner = await api.register()
    r = await api.client.get(f"{URL}/catalog", headers=owner.headers())
    assert r.status_code == 200
    models = {m["key"]: m for m in r.json()}
    assert {"qwen2.5-0.5b-instruct", "qwen2.5-1.5b-instruct", "llama-3.2-1b-instruct",
            "llama-3.2-3b-instruct", "gemma-3-1b-it", "gemma-3-4b-it"} <= set(models)  # fmt: skip
    sizes = [m["sizeBytes"] for m in r.json()]
    assert sizes == sorted(sizes)  # smallest first
    llama = models["llama-3.2-1b-instruct"]
    assert llama["sizeBytes"] == 807_694_464 and llama["sizeExact"]
    assert llama["downloadUrl"].endswith(
        "/bartowski/Llama-3.2-1B-Instruct-GGUF/resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf"
    )
    assert llama["sha256"] and "LocalAI" in llama["checksumSource"]
    assert llama["licence"].startswith("Llama 3.2") and llama["commercialUse"]
    assert not models["qwen2.5-3b-instruct"]["commercialUse"]
    assert models["qwen2.5-3b-instruct"]["sha256"] is None  # taken from the hub, and said so
    assert all(m["expectedReplyS"] > 0 and m["speed"] in ("fast", "moderate", "slow")
               for m in models.values())  # fmt: skip
    speeds = [models[k]["expectedReplyS"] for k in (KEY, "qwen2.5-1.5b-instruct", "gemma-3-4b-it")]
    assert speeds == sorted(speeds)
    assert not any(m["installed"] or m["inUse"] or m["download"] for m in models.values())


async def test_one_click_downloads_verifies_switches_and_answers(
    api: Api, hub: GgufHub, served_entry: catalog.CatalogModel
) -> None:
    pytest.importorskip("llama_cpp")
    bot = await _bot(api)
    owner = bot.owner
    r = await api.client.post(f"{URL}/catalog/{KEY}/install", headers=owner.headers())
    assert r.status_code == 202 and r.json()["state"] == "downloading"
    model = await finished(api, owner, KEY)
    assert model["download"]["state"] == "done", model["download"]
    assert model["download"]["doneBytes"] == hub.size == model["sizeBytes"]
    assert model["installed"] and model["inUse"]
    # pinned: the file came from the commit the hub reported, not from a moving branch
    assert f"/{served_entry.repo}/resolve/{COMMIT}/{served_entry.file}" in hub.requests
    assert sorted(p.name for p in models_dir(api).iterdir()) == [served_entry.file]
    saved = await settings_of(api, owner)
    assert saved["aiProvider"] == "llamacpp" and saved["aiModel"] == served_entry.file
    assert saved["aiTemperature"] == catalog.FAMILIES["gemma3"].temperature
    short = {"aiMaxTokens": 24}  # a short reply keeps the test quick (a base model never stops)
    r = await api.client.patch("/api/v1/settings", json=short, headers=owner.headers())
    assert r.status_code == 200
    await bot.simulate("+4915100000001", "When are you open?")

    async def replied() -> dict[str, Any] | None:
        convs = (await bot.get("/conversations", search="+4915100000001"))["items"]
        if not convs:
            return None
        detail = await bot.get(f"/conversations/{convs[0]['id']}")
        out = [m for m in detail["messages"] if m["direction"] == "OUTBOUND"]
        return out[0] if out else None

    reply = await eventually(replied, timeout=180)
    assert reply["aiProvider"] == "llamacpp" and reply["aiModel"] == served_entry.file
    assert reply["tokensOut"] > 0 and reply["content"]
    # installed already: a second click switches at once, no second download
    before = len(hub.requests)
    r = await api.client.post(f"{URL}/catalog/{KEY}/install", headers=owner.headers())
    assert r.status_code == 202 and r.json()["state"] == "done"
    assert len(hub.requests) == before


@pytest.mark.parametrize("damage", ["corrupt", "short"])
async def test_a_damaged_download_fails_verification_and_leaves_nothing(
    api: Api, hub: GgufHub, served_entry: catalog.CatalogModel, damage: str
) -> None:
    getattr(hub, damage).add(served_entry.repo)
    owner = await api.register()
    r = await api.client.post(f"{URL}/catalog/{KEY}/install", headers=owner.headers())
    assert r.status_code == 202
    model = await finished(api, owner, KEY)
    error = model["download"]["error"]
    assert model["download"]["state"] == "failed"
    assert ("checksum mismatch" if damage == "corrupt" else "incomplete download") in error
    assert not model["installed"] and not model["inUse"]
    assert list(models_dir(api).iterdir()) == []  # no file, no .part
    assert (await settings_of(api, owner))["aiProvider"] == "extractive"  # not switched


async def test_a_hub_file_that_differs_from_the_catalog_is_refused_before_downloading(
    api: Api, hub: GgufHub
) -> None:
    owner = await api.register()  # the real entry: its sha256 is not the packaged file's
    r = await api.client.post(f"{URL}/catalog/{KEY}/install", headers=owner.headers())
    assert r.status_code == 202
    model = await finished(api, owner, KEY)
    assert model["download"]["state"] == "failed" and "refused" in model["download"]["error"]
    assert not any(path.startswith("/cdn/") for path in hub.requests)
    r = await api.client.post(f"{URL}/catalog/nope/install", headers=owner.headers())
    assert r.status_code == 404


async def test_a_model_another_workspace_uses_cannot_be_deleted(
    api: Api, packaged: Path, served_entry: catalog.CatalogModel
) -> None:
    a, b = await api.register("Alice"), await api.register("Bob")
    r = await api.client.post(f"{URL}/catalog/{KEY}/install", headers=a.headers())
    assert (await finished(api, a, KEY))["download"]["state"] == "done"
    r = await api.client.post(f"{URL}/catalog/{KEY}/install", headers=b.headers())
    assert r.status_code == 202 and r.json()["state"] == "done"  # on disk: switched at once
    r = await api.client.delete(f"{URL}/{served_entry.file}", headers=a.headers())
    assert r.status_code == 409 and "1 other workspace" in r.json()["detail"]
    assert (models_dir(api) / served_entry.file).is_file()
    r = await api.client.patch(
        "/api/v1/settings", json={"aiProvider": "extractive"}, headers=b.headers()
    )
    assert r.status_code == 200
    r = await api.client.delete(f"{URL}/{served_entry.file}", headers=a.headers())
    assert r.status_code == 204 and not (models_dir(api) / served_entry.file).exists()
    saved = await settings_of(api, a)  # Alice's own bot no longer points at a missing file
    assert saved["aiProvider"] == "extractive" and saved["aiModel"] == ""


async def test_downloads_are_per_workspace_and_never_show_a_secret(api: Api, hub: GgufHub) -> None:
    a, b = await api.register("Alice"), await api.register("Bob")
    secret = "hf_SeCrEtToKeN123"
    link = f"{hub.url}/private/repo/missing.gguf?hf_token={secret}&download=true"
    r = await api.client.post(f"{URL}/download", json={"url": link}, headers=a.headers())
    assert r.status_code == 202, r.text
    assert secret not in r.text and "hf_token=" in r.json()["url"]

    async def failed() -> list[dict[str, Any]] | None:
        rows = (await api.client.get(f"{URL}/downloads", headers=a.headers())).json()
        return rows if rows and rows[0]["state"] == "failed" else None

    rows = await eventually(failed)
    assert len(rows) == 1 and rows[0]["name"] == "missing.gguf"
    assert "404" in rows[0]["error"] and secret not in str(rows)
    assert (await api.client.get(f"{URL}/downloads", headers=b.headers())).json() == []
    audit = (await api.client.get("/api/v1/settings/audit-log", headers=a.headers())).text
    assert "model.download" in audit and secret not in audit
    # the catalog shows Bob nothing of Alice's downloads either
    await api.client.post(f"{URL}/catalog/{KEY}/install", headers=a.headers())
    await finished(api, a, KEY)
    r = await api.client.get(f"{URL}/catalog", headers=b.headers())
    assert all(m["download"] is None for m in r.json())


async def test_concurrent_clicks_start_one_download(
    api: Api, served_entry: catalog.CatalogModel
) -> None:
    owner = await api.register()
    codes = await asyncio.gather(
        *(api.client.post(f"{URL}/catalog/{KEY}/install", headers=owner.headers())
          for _ in range(4))
    )  # fmt: skip
    assert sorted(r.status_code for r in codes).count(202) == 1
    assert all(r.status_code in (202, 409) for r in codes)
    assert (await finished(api, owner, KEY))["download"]["state"] == "done"
