"""One step of a run (seed §11 "Flow Execution Engine"): from what woke it to its next wait.

A step starts at a trigger, a customer's message, or a wake-up, walks node after node, and
stops where the run must wait (a question's reply, a delay, an `ai` node without a message) or
ends. It only decides: what to send (drafts), which labels change, whether a human takes over,
which nodes were entered. `FlowSteps` commits all of that with the run in one transaction.

Node semantics worth knowing:
- `message` with `buttons` sends them as numbered options and waits for the pick, like a
  question (saved to `variableName`, else `vars.choice`).
- `question`: an invalid answer is asked again (`retryText`, else the question), up to
  `maxRetries` (default 2) times; then the `failure` branch, or the run stops. No reply within
  `timeout` minutes: the `timeout` branch, or the run stops.
- `ai` answers the message that brought the run to it (the trigger message, or the answer just
  given); reached without one (after a delay, from the API) it waits for the next message. Its
  escalation hands the conversation to a human and stops the run.
- `webhook` failing (refused, timed out, non-2xx): the `failure` branch, or the run fails.
- `assign` hands the conversation to a human (takeover + WAITING_HUMAN): the run completes.
- A node without a next edge ends the run (completed); a step that enters more than
  `MAX_VISITS` nodes without waiting fails (a loop).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.db.repos.outbox import Draft, Media
from app.domain import MediaType
from app.domain.flows import RunStatus, Waiting
from app.flows import answers, conditions
from app.flows.graph import DEFAULT, FAILURE, TIMEOUT, Graph, Node
from app.flows.run import Run
from app.flows.template import Scope, header_escape, json_escape, render, url_escape
from app.flows.validate import DELAY_UNITS
from app.pipeline.responders import AIOptions, Reply

log = logging.getLogger(__name__)
MAX_VISITS = 50
DEFAULT_RETRIES = 2
DEFAULT_WEBHOOK_TIMEOUT_S = 10.0
STAY: Any = object()  # the run waits (or ended): the walk stops here


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # "start" | "message" | "wake"
    text: str | None = None
    media_type: MediaType | None = None


@dataclass(frozen=True, slots=True)
class WebhookCall:
    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    timeout_s: float


@dataclass(frozen=True, slots=True)
class WebhookResult:
    ok: bool
    status: int | None = None
    value: Any = None  # the response: parsed JSON, else its text
    error: str | None = None


@dataclass(slots=True)
class Ports:
    """What a step may reach outside itself."""

    webhook: Callable[[WebhookCall], Awaitable[WebhookResult]]
    is_open: Callable[[], bool] = lambda: True  # business hours now
    ai: Callable[[AIOptions], Awaitable[Reply | None]] | None = None  # only with a message
    media: Callable[[str], Awaitable[Media | None]] | None = None


@dataclass(slots=True)
class Step:
    """What one step decided; committed with the run."""

    drafts: list[Draft] = field(default_factory=list)
    visits: list[str] = field(default_factory=list)
    labels: list[tuple[str, str]] = field(default_factory=list)  # ("add" | "remove", label id)
    assign: bool = False
    assign_to: str | None = None  # a user id; None = any human
    escalation: str | None = None  # the AI's reason for handing over
    moved: bool = False  # the run changed (else nothing to commit)


class _Walk:
    def __init__(
        self, run: Run, graph: Graph, scope: Scope, ports: Ports, now: datetime, event: Event
    ) -> None:
        self.run, self.graph, self.scope, self.ports, self.now = run, graph, scope, ports, now
        self.step = Step()
        self.message = event.text if event.kind in ("start", "message") else None

    def note(self, event: str, node: Node | None, detail: str | None = None) -> None:
        """Every change of a run is noted in its history: a step that noted nothing (a stale
        wake-up) has nothing to commit."""
        self.run.note(self.now, event, node.id if node else None, detail)
        self.step.moved = True

    def next(self, node: Node, handle: str = DEFAULT) -> Node | None:
        return self.graph.next(node.id, handle)

    def end(self, status: RunStatus, reason: str, node: Node | None = None) -> Any:
        self.run.end(status, reason, self.now)
        self.note("ended", node, f"{status.value.lower()}: {reason}")
        return STAY

    def render(self, node: Node, text: str | None, escape: Any = None) -> str:
        out = render(text, self.scope, escape)
        if out.missing:
            self.note("missing", node, "empty: " + ", ".join(out.missing))
        return out.text

    async def go(self, node: Any) -> None:
        visits = 0
        while node is not STAY and self.run.active:
            if node is None:
                self.end(RunStatus.COMPLETED, "reached the last step")
                return
            visits += 1
            if visits > MAX_VISITS:
                self.end(RunStatus.FAILED, f"more than {MAX_VISITS} steps without a wait", node)
                return
            node = await self.enter(node)

    async def enter(self, node: Node) -> Any:
        run = self.run
        run.node, run.waiting, run.wake_at = node.id, None, None
        run.state.pop("retries", None)
        self.step.visits.append(node.id)
        self.note("entered", node)
        match node.type:
            case "trigger":
                return self.next(node)
            case "message" | "question":
                await self.send(node)
                if node.waits_for_reply:
                    self.wait_reply(node)
                    return STAY
                return self.next(node)
            case "ai":
                return await self.answer(node)
            case "condition":
                return self.branch(node)
            case "delay":
                seconds = float(node.data.get("amount") or 0) * DELAY_UNITS.get(
                    node.data.get("unit", "minutes"), 60.0
                )
                until = self.now + timedelta(seconds=max(seconds, 0.0))
                run.wait(Waiting.WAKE, until)
                self.note("waiting", node, f"until {until.isoformat()}")
                return STAY
            case "tag":
                label = node.data.get("labelId")
                if isinstance(label, str) and label:
                    action = "remove" if node.data.get("action") == "remove" else "add"
                    self.step.labels.append((action, label))
                return self.next(node)
            case "webhook":
                return await self.call(node)
            case "assign":
                user = node.data.get("userId")
                self.step.assign = True
                self.step.assign_to = user if isinstance(user, str) and user else None
                return self.end(RunStatus.COMPLETED, "handed to a human", node)
            case "end":
                return self.end(RunStatus.COMPLETED, "end", node)
        return self.end(RunStatus.FAILED, f"unknown node type {node.type!r}", node)

    async def send(self, node: Node, text: str | None = None) -> None:
        """The node's text (or `text`: a retry's) with its options, and its media unless this
        is a retry's own text."""
        body = self.render(node, text if text is not None else node.data.get("text"))
        options = [self.render(node, o) for o in node.options]
        body = answers.numbered(body, options)
        media = await self.media(node) if text is None else None
        caption = self.render(node, node.data.get("caption")) if media else ""
        if media is not None and caption and body:
            self.step.drafts.append(Draft(body, flow_id=self.run.flow_id))
            body = caption
        elif media is not None and caption:
            body = caption
        if body or media is not None:
            self.step.drafts.append(Draft(body, flow_id=self.run.flow_id, media=media))
            self.note("sent", node)

    async def media(self, node: Node) -> Media | None:
        url = node.data.get("mediaUrl")
        if not isinstance(url, str) or not url.strip() or self.ports.media is None:
            return None
        rendered = self.render(node, url, url_escape)
        media = await self.ports.media(rendered)
        if media is None:
            self.note("media_failed", node, f"could not fetch {rendered[:200]}")
        return media

    def wait_reply(self, node: Node) -> None:
        minutes = node.data.get("timeout")
        until = None
        if isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes > 0:
            until = self.now + timedelta(minutes=float(minutes))
        self.run.wait(Waiting.REPLY, until)
        self.note("waiting", node, "for a reply" + (f" until {until.isoformat()}" if until else ""))

    async def answer(self, node: Node) -> Any:
        if self.message is None or self.ports.ai is None:
            self.run.wait(Waiting.MESSAGE, None)
            self.note("waiting", node, "for a message to answer")
            return STAY
        self.message = None  # answered once: a second ai node waits for the next message
        d = node.data
        tokens = d.get("maxTokens")
        options = AIOptions(
            system_prompt=self.render(node, d.get("systemPromptOverride")) or None,
            knowledge_base_id=d.get("knowledgeBaseId") or None,
            max_tokens=tokens if isinstance(tokens, int) and tokens > 0 else None,
        )
        reply = await self.ports.ai(options)
        if reply is None:
            self.note("ai", node, "no answer")
            return self.next(node)
        for i, text in enumerate(reply.texts):
            self.step.drafts.append(
                Draft(
                    text,
                    flow_id=self.run.flow_id,
                    confidence=reply.confidence if i == 0 else None,
                    kb_chunks_used=reply.kb_chunks_used if i == 0 else (),
                    usage=reply.usage if i == 0 else None,
                )
            )
        if reply.escalate:
            self.step.escalation = reply.escalation_reason or "escalated"
            return self.end(RunStatus.STOPPED, f"the AI handed over ({self.step.escalation})", node)
        self.note("ai", node, "answered")
        return self.next(node)

    def branch(self, node: Node) -> Any:
        entries = node.data.get("conditions")
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and conditions.holds(entry, self.scope, self.ports.is_open):
                self.note("condition", node, f"took {entry.get('id')}")
                return self.next(node, str(entry.get("id")))
        self.note("condition", node, "took default")
        return self.next(node)

    async def call(self, node: Node) -> Any:
        d = node.data
        method = str(d.get("method") or "POST").upper()
        raw = d.get("headers")
        raw_headers: dict[str, Any] = raw if isinstance(raw, dict) else {}
        headers = {str(k): self.render(node, str(v), header_escape) for k, v in raw_headers.items()}
        body_template = d.get("body") if isinstance(d.get("body"), str) else None
        body = None
        if body_template is not None and method != "GET":
            is_json = body_template.lstrip()[:1] in ("{", "[") or any(
                k.lower() == "content-type" and "json" in v.lower() for k, v in headers.items()
            )
            body = self.render(node, body_template, json_escape if is_json else None)
            if is_json and not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "application/json"
        timeout = d.get("timeout")
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
            timeout = DEFAULT_WEBHOOK_TIMEOUT_S
        call = WebhookCall(
            method=method,
            url=self.render(node, str(d.get("url") or ""), url_escape),
            headers=headers,
            body=body,
            timeout_s=float(timeout)
            if isinstance(timeout, int | float)
            else DEFAULT_WEBHOOK_TIMEOUT_S,
        )
        result = await self.ports.webhook(call)
        save = d.get("saveResponseTo")
        outcome = f"{method} → {result.status}" if result.status else f"{method}: {result.error}"
        self.note("webhook", node, outcome)
        if result.ok:
            if isinstance(save, str) and save.strip():
                self.run.vars[save.strip()] = result.value
            return self.next(node)
        failure = self.next(node, FAILURE)
        if failure is not None:
            return failure
        return self.end(RunStatus.FAILED, f"webhook failed ({result.error or result.status})", node)

    async def on_message(self, event: Event) -> Any:
        run, node = self.run, self.graph.nodes.get(self.run.node or "")
        if node is None:
            return self.end(RunStatus.FAILED, f"node {run.node!r} is not in version {run.version}")
        if run.waiting is Waiting.MESSAGE:
            return await self.answer(node)
        if run.waiting is not Waiting.REPLY:  # a delay: the flow keeps the contact, waits on
            self.note("message", node, "while waiting")
            return STAY
        answer = answers.check(node.data.get("validation"), event.text or "", node.options)
        if answer.ok:
            variable = node.variable
            if variable:
                run.vars[variable] = answer.value
            self.note("answered", node, f"{variable} = {answer.value[:100]}" if variable else None)
            return self.next(node)
        retries = int(run.state.get("retries") or 0) + 1
        allowed = node.data.get("maxRetries")
        allowed = allowed if isinstance(allowed, int) and allowed >= 0 else DEFAULT_RETRIES
        self.note("invalid", node, f"attempt {retries}")
        if retries > allowed:
            failure = self.next(node, FAILURE)
            if failure is not None:
                return failure
            return self.end(RunStatus.STOPPED, "no valid answer", node)
        run.state["retries"] = retries
        retry = node.data.get("retryText")
        await self.send(node, retry if isinstance(retry, str) and retry.strip() else None)
        self.wait_reply(node)
        return STAY

    def on_wake(self) -> Any:
        run, node = self.run, self.graph.nodes.get(self.run.node or "")
        if run.wake_at is None or run.wake_at > self.now:
            return STAY  # not due (a stale wake-up)
        if node is None:
            return self.end(RunStatus.FAILED, f"node {run.node!r} is not in version {run.version}")
        if run.waiting is Waiting.WAKE:
            self.note("woke", node)
            return self.next(node)
        if run.waiting is Waiting.REPLY:
            self.note("timeout", node)
            branch = self.next(node, TIMEOUT)
            if branch is not None:
                return branch
            return self.end(RunStatus.STOPPED, "no reply in time", node)
        return STAY


async def advance(
    run: Run, graph: Graph, event: Event, scope: Scope, ports: Ports, now: datetime
) -> Step:
    """Move `run` from `event` to its next wait (or its end); returns what to commit."""
    scope.vars = run.vars  # one dict: what a node saves, the next node reads
    walk = _Walk(run, graph, scope, ports, now, event)
    if event.kind == "message":
        scope.message = {"text": event.text or "", "mediaType": event.media_type}
        run.state["message"] = {"text": (event.text or "")[:1000]}
    if event.kind == "start":
        if event.text is not None:
            scope.message = {"text": event.text, "mediaType": event.media_type}
        trigger = graph.trigger()
        if trigger is None:
            walk.end(RunStatus.FAILED, "the flow has no trigger")
        await walk.go(trigger if trigger is not None else STAY)
    elif event.kind == "message":
        await walk.go(await walk.on_message(event))
    else:
        await walk.go(walk.on_wake())
    walk.step.moved = walk.step.moved or run.new
    return walk.step
