"""Pacing arithmetic and the router's seed order, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain import ConversationStatus, MessageKind, NormalizedMessage
from app.domain import conversations as c
from app.pipeline import EchoResponder, Pacing, Reply, ReplyContext, Responders, Route, decide
from app.pipeline.router import Decision

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_typing_time_grows_with_length_and_is_capped() -> None:
    p = Pacing(typing_s_per_char=0.04, typing_max_s=4.0, chat_spacing_s=1.0)
    assert p.typing_time("") == 0
    assert p.typing_time("x" * 10) < p.typing_time("x" * 50) == 2.0
    assert p.typing_time("x" * 1000) == 4.0


class Fixed:
    def __init__(self, text: str | None) -> None:
        self.text = text

    async def respond(self, ctx: ReplyContext) -> Reply | None:
        return Reply(self.text) if self.text else None


def _ctx(
    kind: MessageKind = MessageKind.TEXT,
    group: bool = False,
    status: ConversationStatus = ConversationStatus.OPEN,
    **contact: bool,
) -> ReplyContext:
    flags = {
        "autoreply_enabled": True,
        "human_takeover": False,
        "approval_mode": False,
        "is_blocked": False,
        "is_vip": False,
        **contact,
    }
    who = c.Contact(
        id="k", jid="j", phone_number="", first_seen_at=NOW, created_at=NOW, updated_at=NOW, **flags
    )
    msg = NormalizedMessage("w", "j", "j", NOW, kind=kind, text="hi", is_group=group)
    conv = c.Conversation(id="c", contact_id="k", status=status, created_at=NOW, updated_at=NOW)
    return ReplyContext("ws", "s", who, conv, None, msg)  # type: ignore[arg-type]


async def test_router_follows_the_seed_order() -> None:
    both = Responders(flow=Fixed("flow"), ai=EchoResponder())
    assert (await decide(_ctx(is_blocked=True, human_takeover=True), both)).route is Route.BLOCKED
    assert (
        await decide(_ctx(human_takeover=True, approval_mode=True), both)
    ).route is Route.TAKEOVER
    waiting = _ctx(status=ConversationStatus.WAITING_HUMAN)  # escalated: a human answers
    told = Responders(flow=Fixed("flow"), ai=EchoResponder(), waiting=Fixed("a person will"))
    assert await decide(waiting, told) == Decision(Route.WAITING, Reply("a person will"))
    assert await decide(waiting, both) == Decision(Route.WAITING)  # no notice to give
    quiet = _ctx(status=ConversationStatus.WAITING_HUMAN, autoreply_enabled=False)
    assert await decide(quiet, told) == Decision(Route.WAITING)
    taken = _ctx(status=ConversationStatus.WAITING_HUMAN, human_takeover=True)
    assert await decide(taken, told) == Decision(Route.TAKEOVER)  # a person is in the chat
    held = await decide(_ctx(approval_mode=True), both)
    assert held.route is Route.APPROVAL and held.hold and held.reply == Reply("flow")
    assert (await decide(_ctx(), both)).reply == Reply("flow")
    ai_only = Responders(flow=Fixed(None), ai=EchoResponder())
    assert (await decide(_ctx(), ai_only)).route is Route.AI
    assert (await decide(_ctx(autoreply_enabled=False), ai_only)).route is Route.NONE
    assert (await decide(_ctx(MessageKind.REACTION), both)).route is Route.NOT_CONVERSATIONAL
    assert (await decide(_ctx(group=True), both)).route is Route.NOT_CONVERSATIONAL
    assert (await decide(_ctx(), Responders())).route is Route.NONE
