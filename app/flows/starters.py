"""Three starter flows the builder offers (`GET /api/v1/flows/templates`,
`POST /api/v1/flows {"template": key}`): a welcome menu, lead capture → webhook, and an
order-status lookup. They are ordinary flow documents; the URLs are placeholders to replace
before activating (activation checks them with the SSRF guard like any other URL).
"""

from __future__ import annotations

from typing import Any

from app.domain import FlowTrigger
from app.domain.flows import FlowEdge, FlowNode, FlowTemplate, Position


def _node(node_id: str, kind: str, x: float, y: float, **data: Any) -> FlowNode:
    return FlowNode(id=node_id, type=kind, position=Position(x=x, y=y), data=data)


def _edge(source: str, target: str, handle: str | None = None) -> FlowEdge:
    suffix = f"-{handle}" if handle else ""
    return FlowEdge(
        id=f"e-{source}{suffix}-{target}", source=source, target=target, source_handle=handle
    )


def welcome_menu() -> FlowTemplate:
    nodes = [
        _node("trigger", "trigger", 0, 0),
        _node(
            "menu",
            "message",
            260,
            0,
            text="Hi {{contact.name}}! Welcome to {{workspace.name}}. What can we do for you?",
            buttons=["Opening hours", "Talk to a person", "Something else"],
            variableName="choice",
            timeout=60,
        ),
        _node(
            "which",
            "condition",
            520,
            0,
            conditions=[
                {
                    "id": "hours",
                    "field": "vars.choice",
                    "operator": "equals",
                    "value": "Opening hours",
                },
                {
                    "id": "human",
                    "field": "vars.choice",
                    "operator": "equals",
                    "value": "Talk to a person",
                },
            ],
        ),
        _node(
            "hours-text",
            "message",
            780,
            -160,
            text="We are open Monday to Friday, 9:00-17:00.",
        ),
        _node("handover", "assign", 780, 0, userId=None),
        _node(
            "ask-away",
            "message",
            780,
            160,
            text="Sure - just type your question and I will answer it.",
        ),
        _node("done", "end", 1040, 0),
    ]
    edges = [
        _edge("trigger", "menu"),
        _edge("menu", "which"),
        _edge("which", "hours-text", "hours"),
        _edge("which", "handover", "human"),
        _edge("which", "ask-away"),
        _edge("hours-text", "done"),
        _edge("ask-away", "done"),
    ]
    return FlowTemplate(
        key="welcome-menu",
        name="Welcome menu",
        description="Greets a new contact with numbered options: opening hours, a person, "
        "or a free question for the AI.",
        trigger_type=FlowTrigger.FIRST_MESSAGE,
        nodes=nodes,
        edges=edges,
    )


def lead_capture() -> FlowTemplate:
    body = (
        '{"name": "{{vars.name}}", "email": "{{vars.email}}", "company": "{{vars.company}}", '
        '"phone": "{{contact.phone}}"}'
    )
    nodes = [
        _node("trigger", "trigger", 0, 0),
        _node(
            "ask-name", "question", 260, 0, text="Great! What is your name?", variableName="name"
        ),
        _node(
            "ask-email",
            "question",
            520,
            0,
            text="Thanks {{vars.name}}. Which email address should we use?",
            variableName="email",
            validation="email",
            retryText="That does not look like an email address - could you check it?",
            timeout=60,
        ),
        _node(
            "ask-company",
            "question",
            780,
            0,
            text="And which company are you with?",
            variableName="company",
        ),
        _node(
            "to-crm",
            "webhook",
            1040,
            0,
            url="https://crm.example.com/leads",
            method="POST",
            headers={"Content-Type": "application/json"},
            body=body,
            saveResponseTo="crm",
            timeout=10,
        ),
        _node(
            "thanks",
            "message",
            1300,
            -100,
            text="Thank you, {{vars.name}}! We will be in touch at {{vars.email}} shortly.",
        ),
        _node(
            "crm-down",
            "message",
            1300,
            100,
            text="Thank you, {{vars.name}}! A colleague will contact you at {{vars.email}}.",
        ),
        _node(
            "gave-up",
            "message",
            780,
            200,
            text="No problem - write 'demo' any time to continue.",
        ),
        _node("done", "end", 1560, 0),
    ]
    edges = [
        _edge("trigger", "ask-name"),
        _edge("ask-name", "ask-email"),
        _edge("ask-email", "ask-company"),
        _edge("ask-email", "gave-up", "timeout"),
        _edge("ask-email", "gave-up", "failure"),
        _edge("ask-company", "to-crm"),
        _edge("to-crm", "thanks"),
        _edge("to-crm", "crm-down", "failure"),
        _edge("thanks", "done"),
        _edge("crm-down", "done"),
    ]
    return FlowTemplate(
        key="lead-capture",
        name="Lead capture → webhook",
        description="Asks name, email and company, then posts them as JSON to your CRM's "
        "webhook (replace the URL).",
        trigger_type=FlowTrigger.KEYWORD,
        trigger_config={"keywords": ["demo", "quote", "pricing"], "match": "contains"},
        nodes=nodes,
        edges=edges,
    )


def order_status() -> FlowTemplate:
    nodes = [
        _node("trigger", "trigger", 0, 0),
        _node(
            "ask-order",
            "question",
            260,
            0,
            text="Sure - what is your order number?",
            variableName="order",
            validation="number",
            retryText="Please send just the digits of your order number.",
            maxRetries=2,
        ),
        _node(
            "lookup",
            "webhook",
            520,
            0,
            url="https://shop.example.com/api/orders/{{vars.order}}",
            method="GET",
            saveResponseTo="lookup",
            timeout=10,
        ),
        _node(
            "found",
            "condition",
            780,
            0,
            conditions=[
                {"id": "unknown", "field": "vars.lookup.status", "operator": "isEmpty", "value": ""}
            ],
        ),
        _node(
            "status",
            "message",
            1040,
            -120,
            text="Order {{vars.order}}: {{vars.lookup.status}}.",
        ),
        _node(
            "not-found",
            "message",
            1040,
            40,
            text="I could not find order {{vars.order}}. A colleague will look into it.",
        ),
        _node(
            "shop-down",
            "message",
            780,
            200,
            text="Our order system is not reachable right now - a colleague will follow up.",
        ),
        _node("handover", "assign", 1300, 120, userId=None),
        _node("done", "end", 1300, -120),
    ]
    edges = [
        _edge("trigger", "ask-order"),
        _edge("ask-order", "lookup"),
        _edge("ask-order", "handover", "failure"),
        _edge("lookup", "found"),
        _edge("lookup", "shop-down", "failure"),
        _edge("found", "not-found", "unknown"),
        _edge("found", "status"),
        _edge("status", "done"),
        _edge("not-found", "handover"),
        _edge("shop-down", "handover"),
    ]
    return FlowTemplate(
        key="order-status",
        name="Order-status lookup",
        description="Asks for the order number, looks it up in your shop's API (replace the "
        "URL; it answers JSON with a `status`) and tells the customer, or hands over.",
        trigger_type=FlowTrigger.KEYWORD,
        trigger_config={"keywords": ["order", "tracking", "delivery"], "match": "contains"},
        nodes=nodes,
        edges=edges,
    )


def starters() -> list[FlowTemplate]:
    return [welcome_menu(), lead_capture(), order_status()]


def starter(key: str) -> FlowTemplate | None:
    return next((t for t in starters() if t.key == key), None)
