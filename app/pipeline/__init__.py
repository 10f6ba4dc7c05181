"""The message pipeline: inbound → contact → conversation → router → outbox → dispatcher."""

from app.pipeline.broadcasts import BroadcastRunner
from app.pipeline.budget import SendBudget
from app.pipeline.dispatcher import Dispatcher
from app.pipeline.hub import SessionHub
from app.pipeline.inbound import Pipeline, SessionRef
from app.pipeline.outbox import Outbox
from app.pipeline.pacing import Pacing
from app.pipeline.responders import (
    EchoResponder,
    Reply,
    ReplyContext,
    Responder,
    Responders,
    SilentResponder,
    build_responders,
)
from app.pipeline.router import Decision, Route, decide
from app.pipeline.send_locks import SendLocks

__all__ = [
    "BroadcastRunner",
    "Decision",
    "Dispatcher",
    "EchoResponder",
    "Outbox",
    "Pacing",
    "Pipeline",
    "Reply",
    "ReplyContext",
    "Responder",
    "Responders",
    "Route",
    "SendBudget",
    "SendLocks",
    "SessionHub",
    "SessionRef",
    "SilentResponder",
    "build_responders",
    "decide",
]
