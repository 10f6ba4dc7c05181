"""The official anthropic and openai SDKs over real HTTP against the local fake server."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Callable

import pytest

from app.llm import LLM, ChatMessage, Image, LLMError, LLMSettings, LLMUnavailable, build_llm
from tests.fakes.llm_server import FakeLLMServer, malformed, reply, slow, status

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)
Factory = Callable[..., LLM]


@pytest.fixture(params=["anthropic", "openai"])
async def make_llm(
    request: pytest.FixtureRequest, llm_server: FakeLLMServer
) -> AsyncIterator[Factory]:
    provider = request.param
    made: list[LLM] = []

    def factory(**overrides: object) -> LLM:
        base = llm_server.url if provider == "anthropic" else llm_server.openai_url
        fields: dict[str, object] = {
            "provider": provider,
            "model": "claude-3-5-haiku-20241022" if provider == "anthropic" else "gpt-4o-mini",
            "api_key": "sk-test",
            "base_url": base,
            "ssrf_allow": ("127.0.0.1",),  # the fake server is on loopback: allow-listed
            "timeout": 2.0,
            "max_retries": 2,
            "backoff_base": 0.05,
        }
        fields.update(overrides)
        llm = build_llm(LLMSettings(**fields))  # type: ignore[arg-type]
        made.append(llm)
        return llm

    yield factory
    for llm in made:
        await llm.aclose()


def chat_path(server: FakeLLMServer) -> str:
    return server.requests[-1].path


async def test_normal_reply_carries_usage_latency_and_cost(
    make_llm: Factory, llm_server: FakeLLMServer
) -> None:
    llm = make_llm()
    out = await llm.complete(
        [ChatMessage("user", "What are your opening hours?")], system="You are Aimy."
    )
    assert out.text == "echo: What are your opening hours?"
    assert out.provider == llm.provider
    assert out.input_tokens > 0 and out.output_tokens == 6
    assert out.latency_ms > 0
    assert out.cost_usd is not None and out.cost_usd > 0
    sent = llm_server.requests[-1]
    assert (
        sent.headers.get("x-api-key") == "sk-test"
        or sent.headers.get("authorization") == "Bearer sk-test"
    )
    if llm.provider == "anthropic":
        assert sent.path == "/v1/messages" and sent.json["system"] == "You are Aimy."
    else:
        assert sent.path == "/v1/chat/completions"
        assert sent.json["messages"][0] == {"role": "system", "content": "You are Aimy."}


async def test_history_opened_by_the_bot_is_accepted(
    make_llm: Factory, llm_server: FakeLLMServer
) -> None:
    history = [
        ChatMessage("assistant", "Our summer sale starts today!"),
        ChatMessage("user", "hi"),
        ChatMessage("user", "is it online too?"),
    ]
    out = await make_llm().complete(history)
    assert out.text == "echo: hi\nis it online too?"
    roles = [m["role"] for m in llm_server.requests[-1].json["messages"]]
    assert roles[-3:] == ["user", "assistant", "user"]


async def test_vision_sends_an_image_block(make_llm: Factory, llm_server: FakeLLMServer) -> None:
    llm = make_llm()
    assert llm.supports_vision
    out = await llm.vision([Image(PNG, "image/png")], "What is in this picture?")
    assert out.text == "I see 1 image(s)"
    parts = llm_server.requests[-1].json["messages"][-1]["content"]
    if llm.provider == "anthropic":
        image = next(p for p in parts if p["type"] == "image")
        assert image["source"] == {
            "type": "base64",
            "media_type": "image/png",
            "data": base64.b64encode(PNG).decode(),
        }
    else:
        image = next(p for p in parts if p["type"] == "image_url")
        assert (
            image["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
        )


async def test_429_with_retry_after_is_honoured_then_succeeds(
    make_llm: Factory, llm_server: FakeLLMServer
) -> None:
    llm_server.script(status(429, retry_after=1), reply("after the wait"))
    started = time.monotonic()
    out = await make_llm().complete([ChatMessage("user", "hi")])
    assert out.text == "after the wait"
    assert time.monotonic() - started >= 0.95
    assert len(llm_server.requests) == 2


async def test_persistent_500_raises_unavailable(
    make_llm: Factory, llm_server: FakeLLMServer
) -> None:
    llm_server.script(*[status(500)] * 3)
    with pytest.raises(LLMUnavailable) as info:
        await make_llm().complete([ChatMessage("user", "hi")])
    assert info.value.attempts == 3 and "500" in str(info.value)
    assert len(llm_server.requests) == 3


async def test_retry_after_beyond_the_cap_gives_up_at_once(
    make_llm: Factory, llm_server: FakeLLMServer
) -> None:
    llm_server.script(status(429, retry_after=600))
    started = time.monotonic()
    with pytest.raises(LLMUnavailable) as info:
        await make_llm().complete([ChatMessage("user", "hi")])
    assert info.value.retry_after == 600
    assert time.monotonic() - started < 1.0


async def test_timeout_raises_unavailable_fast(
    make_llm: Factory, llm_server: FakeLLMServer
) -> None:
    llm_server.script(slow(5), slow(5))
    llm = make_llm(timeout=0.3, max_retries=1)
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="timed out"):
        await llm.complete([ChatMessage("user", "hi")])
    assert time.monotonic() - started < 2.0


async def test_malformed_json_is_an_error_not_a_hang(
    make_llm: Factory, llm_server: FakeLLMServer
) -> None:
    llm_server.script(malformed(), malformed())
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="malformed"):
        await make_llm(max_retries=1).complete([ChatMessage("user", "hi")])
    assert time.monotonic() - started < 2.0


async def test_malformed_once_then_recovers(make_llm: Factory, llm_server: FakeLLMServer) -> None:
    llm_server.script(malformed(), reply("fine now"))
    out = await make_llm().complete([ChatMessage("user", "hi")])
    assert out.text == "fine now"


async def test_client_error_is_final_without_retries(
    make_llm: Factory, llm_server: FakeLLMServer
) -> None:
    llm_server.script(status(401))
    with pytest.raises(LLMError) as info:
        await make_llm().complete([ChatMessage("user", "hi")])
    assert not isinstance(info.value, LLMUnavailable)
    assert len(llm_server.requests) == 1


async def test_unreachable_server_is_unavailable(make_llm: Factory) -> None:
    llm = make_llm(base_url="http://127.0.0.1:9/v1", max_retries=1)
    with pytest.raises(LLMUnavailable, match="connection"):
        await llm.complete([ChatMessage("user", "hi")])


async def test_openai_proper_gets_max_completion_tokens_compatible_servers_max_tokens(
    llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    compatible = build_llm(
        LLMSettings(
            provider="openai",
            model="llama3.1:8b",
            base_url=llm_server.openai_url,
            ssrf_allow=("127.0.0.1",),
        )
    )
    await compatible.complete([ChatMessage("user", "hi")], max_tokens=33)
    assert llm_server.requests[-1].json["max_tokens"] == 33
    # No base_url in our settings means api.openai.com; the SDK's env override lets the test
    # keep that code path on the local server.
    monkeypatch.setenv("OPENAI_BASE_URL", llm_server.openai_url)
    official = build_llm(
        LLMSettings(
            provider="openai", model="gpt-4o-mini", api_key="sk-x", ssrf_allow=("127.0.0.1",)
        )
    )
    await official.complete([ChatMessage("user", "hi")], max_tokens=44)
    sent = llm_server.requests[-1].json
    assert sent["max_completion_tokens"] == 44 and "max_tokens" not in sent
    for llm in (compatible, official):
        await llm.aclose()
