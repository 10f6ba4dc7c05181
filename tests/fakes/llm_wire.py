"""Response bodies of the fake server, in the Anthropic and OpenAI wire formats."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.llm_server import Recorded, Step

JSON = {"content-type": "application/json"}


def answer(rec: Recorded, step: Step | None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) for one recorded request and its scripted step."""
    problem = _invalid(rec)
    if problem is not None:
        return 400, JSON, json.dumps(_error(rec.path, 400, problem)).encode()
    if step is not None and step.kind == "malformed":
        return 200, JSON, b'{"id": "x", "content": [ {"type": "text", "text": '
    if step is not None and step.kind == "redirect":
        return step.status, {"location": step.location or "/"}, b""
    if step is not None and step.kind == "status":
        headers = dict(JSON)
        if step.retry_after is not None:
            headers["retry-after"] = step.retry_after
        body = step.body or json.dumps(_error(rec.path, step.status)).encode()
        return step.status, headers, body
    text = step.text if step is not None and step.text is not None else None
    if rec.path.endswith("/v1/messages"):
        return 200, JSON, json.dumps(_anthropic(rec.json, text)).encode()
    if rec.path.endswith("/chat/completions"):
        return 200, JSON, json.dumps(_openai(rec.json, text)).encode()
    if rec.path.endswith("/audio/transcriptions"):
        body = {
            "task": "transcribe",
            "language": "english",
            "duration": 2.5,
            "text": text if text is not None else "hello from the fake server",
        }
        return 200, JSON, json.dumps(body).encode()
    return 404, JSON, json.dumps({"error": {"message": f"no route {rec.path}"}}).encode()


def _default_text(messages: list[dict[str, Any]]) -> str:
    last = messages[-1]["content"] if messages else ""
    if isinstance(last, str):
        return f"echo: {last}"
    kinds = [part.get("type") for part in last]
    images = sum(1 for k in kinds if k in ("image", "image_url"))
    return f"I see {images} image(s)"


def _count(value: Any) -> int:
    return max(1, len(json.dumps(value).split()))


def _anthropic(body: dict[str, Any], text: str | None) -> dict[str, Any]:
    out = text if text is not None else _default_text(body["messages"])
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": [{"type": "text", "text": out}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": _count(body["messages"]) + _count(body.get("system", "")),
            "output_tokens": len(out.split()),
        },
    }


def _openai(body: dict[str, Any], text: str | None) -> dict[str, Any]:
    out = text if text is not None else _default_text(body["messages"])
    prompt = _count(body["messages"])
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body["model"],
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": out}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": len(out.split()),
            "total_tokens": prompt + len(out.split()),
        },
    }


def _invalid(rec: Recorded) -> str | None:
    """The checks the real APIs make that our adapters could plausibly get wrong."""
    if rec.path.endswith("/v1/messages"):
        body = rec.json or {}
        has_key = "x-api-key" in rec.headers or "authorization" in rec.headers  # SDK 2.x: bearer
        if not has_key or "anthropic-version" not in rec.headers:
            return "missing API key or anthropic-version header"
        missing = {"model", "max_tokens", "messages"} - body.keys()
        if missing:
            return f"missing fields: {sorted(missing)}"
        if any(m.get("role") not in ("user", "assistant") for m in body["messages"]):
            return "messages may only have user/assistant roles; use the top-level system field"
        if body["messages"] and body["messages"][0].get("role") != "user":
            return "messages: first message must use the user role"
    elif rec.path.endswith("/chat/completions"):
        body = rec.json or {}
        if not rec.headers.get("authorization", "").startswith("Bearer "):
            return "missing bearer token"
        if not body.get("model") or not body.get("messages"):
            return "model and messages are required"
    return None


def _error(path: str, code: int, message: str | None = None) -> dict[str, Any]:
    kind = {400: "invalid_request_error", 429: "rate_limit_error", 529: "overloaded_error"}.get(
        code, "api_error"
    )
    text = message or f"fake {code}"
    if path.endswith("/v1/messages"):
        return {"type": "error", "error": {"type": kind, "message": text}}
    return {"error": {"message": text, "type": kind, "code": None}}
