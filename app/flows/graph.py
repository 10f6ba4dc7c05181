"""A flow document as a graph the engine walks: nodes by id, and each node's branches.

Branches are edges; an edge's `sourceHandle` names the branch it takes: "default" (or absent)
for the next step, "timeout" (a question's wait ran out), "failure" (a webhook failed, or a
question got no valid answer), or a condition entry's `id`. Parsing never raises: a broken
document still loads (the builder saves drafts), and `validate` says what is wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NODE_TYPES = (
    "trigger",
    "message",
    "question",
    "ai",
    "condition",
    "delay",
    "tag",
    "webhook",
    "assign",
    "end",
)
DEFAULT = "default"
TIMEOUT = "timeout"
FAILURE = "failure"
CHOICE_VARIABLE = "choice"  # where a message with options saves the pick, unless it names one


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    type: str
    data: dict[str, Any]

    @property
    def options(self) -> list[str]:
        """The seed's `buttons`, sent as numbered options (message and question nodes)."""
        buttons = self.data.get("buttons")
        if self.type not in ("message", "question") or not isinstance(buttons, list):
            return []
        return [str(b).strip() for b in buttons if isinstance(b, str | int | float) and str(b)]

    @property
    def waits_for_reply(self) -> bool:
        """A question, or a message with options (it waits for the pick)."""
        return self.type == "question" or (self.type == "message" and bool(self.options))

    @property
    def variable(self) -> str | None:
        """Where the answer is saved (`vars.<name>`)."""
        name = self.data.get("variableName")
        if isinstance(name, str) and name.strip():
            return name.strip()
        return CHOICE_VARIABLE if self.type == "message" and self.options else None

    def handles(self) -> set[str]:
        """The branches this node may take."""
        match self.type:
            case "end":
                return set()
            case "condition":
                entries = self.data.get("conditions")
                ids = {
                    str(c["id"])
                    for c in (entries if isinstance(entries, list) else [])
                    if isinstance(c, dict) and c.get("id")
                }
                return {DEFAULT, *ids}
            case "webhook":
                return {DEFAULT, FAILURE}
            case _ if self.waits_for_reply:
                return {DEFAULT, TIMEOUT, FAILURE}
            case _:
                return {DEFAULT}


@dataclass(frozen=True, slots=True)
class Edge:
    id: str
    source: str
    target: str
    handle: str


@dataclass(slots=True)
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # node ids seen twice (kept: first)
    _out: dict[tuple[str, str], str] = field(default_factory=dict)  # (source, handle) → target

    @classmethod
    def parse(cls, nodes: Any, edges: Any) -> Graph:
        graph = cls()
        for raw in nodes if isinstance(nodes, list) else []:
            if not isinstance(raw, dict):
                continue
            node_id = str(raw.get("id") or "")
            data = raw.get("data")
            node = Node(node_id, str(raw.get("type") or ""), data if isinstance(data, dict) else {})
            if node_id in graph.nodes:
                graph.duplicates.append(node_id)
                continue
            graph.nodes[node_id] = node
        for raw in edges if isinstance(edges, list) else []:
            if not isinstance(raw, dict):
                continue
            edge = Edge(
                str(raw.get("id") or ""),
                str(raw.get("source") or ""),
                str(raw.get("target") or ""),
                str(raw.get("sourceHandle") or DEFAULT),
            )
            graph.edges.append(edge)
            if edge.target in graph.nodes:
                graph._out.setdefault((edge.source, edge.handle), edge.target)
        return graph

    def trigger(self) -> Node | None:
        return next((n for n in self.nodes.values() if n.type == "trigger"), None)

    def next(self, node_id: str, handle: str = DEFAULT) -> Node | None:
        """Where the branch `handle` of `node_id` leads (the first such edge), or None."""
        target = self._out.get((node_id, handle))
        return self.nodes[target] if target is not None else None

    def has_branch(self, node_id: str, handle: str) -> bool:
        return self.next(node_id, handle) is not None

    def reachable(self) -> set[str]:
        """Node ids reachable from the trigger along edges."""
        start = self.trigger()
        if start is None:
            return set()
        seen, todo = {start.id}, [start.id]
        while todo:
            current = todo.pop()
            for edge in self.edges:
                if edge.source == current and edge.target in self.nodes and edge.target not in seen:
                    seen.add(edge.target)
                    todo.append(edge.target)
        return seen
