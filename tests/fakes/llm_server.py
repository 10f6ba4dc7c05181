"""A local fake of the Anthropic Messages and OpenAI Chat Completions / transcription APIs.

The official SDKs are pointed at it by `base_url`, so tests exercise real HTTP, real SDK
parsing and our retry handling — no patched SDKs. Failures are scripted per request:

    server.script(status(429, retry_after=1), reply("hello"))

Every request is recorded (`server.requests`) so tests can assert what went over the wire.
"""

from __future__ import annotations

import contextlib
import email.parser
import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import pytest

StepKind = Literal["reply", "status", "slow", "malformed", "redirect"]


@dataclass(frozen=True)
class Step:
    kind: StepKind
    text: str | None = None
    status: int = 200
    retry_after: str | None = None
    delay: float = 0.0
    body: bytes | None = None  # a status step's own body (default: an API-shaped error)
    location: str | None = None  # where a redirect step sends the client


def reply(text: str) -> Step:
    return Step("reply", text=text)


def status(code: int, *, retry_after: float | None = None, body: bytes | None = None) -> Step:
    after = None if retry_after is None else f"{retry_after:g}"
    return Step("status", status=code, retry_after=after, body=body)


def redirect(location: str, code: int = 307) -> Step:
    """Answer with a redirect (307 keeps the POST and its body, as a hostile server would)."""
    return Step("redirect", status=code, location=location)


def slow(seconds: float, text: str | None = None) -> Step:
    return Step("slow", delay=seconds, text=text)


def malformed() -> Step:
    return Step("malformed")


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None
    form: dict[str, Any] = field(default_factory=dict)


class FakeLLMServer:
    """Threaded HTTP server on 127.0.0.1 with a free port; start()/stop() or use the fixture."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL for the Anthropic SDK (it appends /v1/messages)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def openai_url(self) -> str:
        """Base URL for the OpenAI SDK (it appends /chat/completions)."""
        return f"{self.url}/v1"

    def script(self, *steps: Step) -> None:
        with self._lock:
            self._steps.extend(steps)

    def next_step(self) -> Step | None:
        with self._lock:
            return self._steps.popleft() if self._steps else None

    def start(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases handlers parked in a `slow` step
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def llm_server() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    try:
        yield server
    finally:
        server.stop()


def _handler_for(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    from tests.fakes.llm_wire import answer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            rec = Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, raw)
            ctype = self.headers.get("content-type", "")
            if "json" in ctype:
                rec.json = json.loads(raw or b"null")
            elif ctype.startswith("multipart/form-data"):
                rec.form = _parse_multipart(ctype, raw)
            server.requests.append(rec)
            step = server.next_step()
            if step is not None and step.kind == "slow":
                server._stopping.wait(step.delay)
            code, headers, body = answer(rec, step)
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # the client may have given up (timeout test)

    return Handler


def _parse_multipart(ctype: str, raw: bytes) -> dict[str, Any]:
    message = email.parser.BytesParser().parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + raw)
    form: dict[str, Any] = {}
    for part in message.get_payload():  # type: ignore[union-attr]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        form[str(name)] = payload if part.get_filename() else payload.decode()
    return form
