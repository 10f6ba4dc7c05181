"""Flows (seed §11, issue 14): the document as a graph, its validation, the step executor,
durable runs and what moves them (the router's flow step, wake-ups, starts, stops).

`FlowEngine` steps runs and commits each step with its messages; `FlowResponder` is the
router's flow slot; `FlowRunner` wakes, starts and stops runs; `WebhookCaller` and
`MediaFetcher` reach out through the SSRF guard.
"""

from app.flows.engine import ContactBusy, FlowEngine, Start
from app.flows.media import MediaFetcher
from app.flows.responder import FlowResponder
from app.flows.runner import FlowRunner
from app.flows.webhook import WebhookCaller

__all__ = [
    "ContactBusy",
    "FlowEngine",
    "FlowResponder",
    "FlowRunner",
    "MediaFetcher",
    "Start",
    "WebhookCaller",
]
