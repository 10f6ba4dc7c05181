"""Activation's graph check lists every problem, pinned to its node or edge; the starters pass."""

from __future__ import annotations

import msgspec
import pytest

from app.domain import FlowTrigger
from app.flows import starters
from app.flows.graph import Graph
from app.flows.validate import References, check, validate


def _graph(nodes: list[dict], edges: list[dict]) -> Graph:
    return Graph.parse(nodes, edges)


@pytest.mark.parametrize("template", starters.starters(), ids=lambda t: t.key)
def test_every_starter_is_valid(template: starters.FlowTemplate) -> None:
    doc = msgspec.to_builtins(template)
    graph = Graph.parse(doc["nodes"], doc["edges"])
    assert check(graph, template.trigger_type, template.trigger_config, References()) == []


def test_every_problem_is_listed_with_where_it_is() -> None:
    nodes = [
        {"id": "ask", "type": "question", "data": {"text": "Name?"}},
        {
            "id": "cond",
            "type": "condition",
            "data": {
                "conditions": [
                    {"id": "a", "field": "vars.nope", "operator": "equals", "value": "x"},
                    {"id": "b", "field": "message.text", "operator": "regex", "value": "(["},
                ]
            },
        },
        {"id": "say", "type": "message", "data": {"text": "Hi {{contact.nickname}}"}},
        {"id": "lost", "type": "end", "data": {}},
        {"id": "tag", "type": "tag", "data": {"action": "add", "labelId": "nope"}},
    ]
    edges = [
        {"id": "e1", "source": "ask", "target": "cond"},
        {"id": "e2", "source": "cond", "target": "say", "sourceHandle": "a"},
        {"id": "e3", "source": "say", "target": "ghost"},
        {"id": "e4", "source": "say", "target": "lost", "sourceHandle": "timeout"},
    ]
    found = check(_graph(nodes, edges), FlowTrigger.API, {}, References())
    codes = {(p.code, p.node_id or p.edge_id) for p in found}
    assert ("no_trigger", None) in codes
    assert ("question_without_variable", "ask") in codes
    assert ("condition_without_default", "cond") in codes
    assert ("unknown_variable", "cond") in codes  # vars.nope is set by no node
    assert ("invalid_regex", "cond") in codes
    assert ("unknown_variable", "say") in codes  # contact.nickname is no variable
    assert ("dangling_edge", "e3") in codes
    assert ("unknown_branch", "say") in codes  # a plain message has no timeout branch
    assert ("unknown_label", "tag") in codes


def test_unreachable_nodes_and_trigger_config() -> None:
    nodes = [
        {"id": "t", "type": "trigger", "data": {}},
        {"id": "a", "type": "end", "data": {}},
        {"id": "island", "type": "message", "data": {"text": "never"}},
    ]
    edges = [{"id": "e", "source": "t", "target": "a"}]
    found = check(_graph(nodes, edges), FlowTrigger.KEYWORD, {"keywords": []}, References())
    assert {(p.code, p.node_id) for p in found} == {
        ("unreachable", "island"),
        ("invalid_trigger", "t"),
    }


async def test_urls_go_through_the_guard() -> None:
    nodes = [
        {"id": "t", "type": "trigger", "data": {}},
        {"id": "w", "type": "webhook", "data": {"url": "http://10.0.0.7/x/{{vars.a}}"}},
        {"id": "v", "type": "webhook", "data": {"url": "https://{{vars.host}}/x"}},
    ]
    edges = [
        {"id": "e1", "source": "t", "target": "w"},
        {"id": "e2", "source": "w", "target": "v"},
    ]
    checked: list[str] = []

    async def refuse(url: str) -> None:
        checked.append(url)
        raise ValueError("refused: 10.0.0.7 is not public")

    config = {"variables": ["a", "host"]}
    found = await validate(_graph(nodes, edges), FlowTrigger.API, config, References(), refuse)
    assert checked == ["http://10.0.0.7/"]
    assert {(p.code, p.node_id) for p in found} == {("url_refused", "w"), ("invalid_url", "v")}
