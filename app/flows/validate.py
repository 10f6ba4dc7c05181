"""Is a flow document ready to run? Every problem at once, each pinned to its node or edge.

Activation (and saving an active flow) answers 422 with this list: no trigger, unreachable
nodes, a question without a variable, a condition without a default branch, a dangling edge,
unknown variables, an invalid regex, a webhook URL the SSRF guard refuses — and the smaller
things a run would trip over (a message without text, a delay without a duration …).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from app.domain import FlowTrigger
from app.domain.flows import Problem
from app.flows import conditions, triggers
from app.flows.answers import VALIDATIONS
from app.flows.graph import DEFAULT, NODE_TYPES, Graph, Node
from app.flows.template import TOKEN, known, names

UrlCheck = Callable[[str], Awaitable[None]]  # raises with a reason when a URL is refused
DELAY_UNITS = {"minutes": 60.0, "hours": 3600.0, "days": 86400.0}
METHODS = ("GET", "POST", "PUT")
MAX_DELAY_DAYS = 366
MAX_WEBHOOK_TIMEOUT_S = 30


@dataclass(frozen=True, slots=True)
class References:
    """The workspace's ids a flow may point at."""

    label_ids: set[str] = field(default_factory=set)
    knowledge_base_ids: set[str] = field(default_factory=set)
    user_ids: set[str] = field(default_factory=set)


def _texts(node: Node) -> Iterable[str]:
    """Every templated text of a node (what `{{…}}` may appear in)."""
    d = node.data
    keys = {
        "message": ("text", "caption", "mediaUrl"),
        "question": ("text", "retryText", "caption", "mediaUrl"),
        "ai": ("systemPromptOverride",),
        "webhook": ("url", "body"),
    }.get(node.type, ())
    for key in keys:
        if isinstance(d.get(key), str):
            yield d[key]
    yield from (str(b) for b in node.options)
    headers = d.get("headers")
    if node.type == "webhook" and isinstance(headers, dict):
        yield from (str(v) for v in headers.values())


def _set_variables(graph: Graph) -> set[str]:
    out: set[str] = set()
    for node in graph.nodes.values():
        if node.waits_for_reply and node.variable:
            out.add(node.variable)
        save = node.data.get("saveResponseTo")
        if node.type == "webhook" and isinstance(save, str) and save.strip():
            out.add(save.strip())
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class _Check:
    def __init__(self, graph: Graph, refs: References, variables: set[str]) -> None:
        self.graph = graph
        self.refs = refs
        self.variables = variables
        self.found: list[Problem] = []

    def add(
        self, code: str, message: str, node: str | None = None, edge: str | None = None
    ) -> None:
        self.found.append(Problem(code=code, message=message, node_id=node, edge_id=edge))

    def structure(self) -> None:
        g = self.graph
        triggers_ = [n for n in g.nodes.values() if n.type == "trigger"]
        if not triggers_:
            self.add("no_trigger", "the flow has no trigger node: nothing can start it")
        for extra in triggers_[1:]:
            self.add("many_triggers", "a flow has one trigger node", extra.id)
        for node_id in g.duplicates:
            self.add("duplicate_node", f"two nodes have the id {node_id!r}", node_id)
        for node in g.nodes.values():
            if not node.id:
                self.add("invalid_node", "a node has no id")
            if node.type not in NODE_TYPES:
                self.add("unknown_type", f"unknown node type {node.type!r}", node.id)
        seen_edges: set[str] = set()
        seen_branches: set[tuple[str, str]] = set()
        for edge in g.edges:
            if edge.id in seen_edges:
                self.add("duplicate_edge", f"two edges have the id {edge.id!r}", edge=edge.id)
            seen_edges.add(edge.id)
            source, target = g.nodes.get(edge.source), g.nodes.get(edge.target)
            if source is None or target is None:
                missing = edge.source if source is None else edge.target
                self.add("dangling_edge", f"the edge points at no node ({missing!r})", edge=edge.id)
                continue
            if target.type == "trigger":
                self.add("edge_into_trigger", "nothing can lead into the trigger", edge=edge.id)
            if edge.handle not in source.handles():
                allowed = ", ".join(sorted(source.handles())) or "none"
                self.add(
                    "unknown_branch",
                    f"a {source.type} node has no {edge.handle!r} branch (it has: {allowed})",
                    source.id,
                    edge.id,
                )
            elif (edge.source, edge.handle) in seen_branches:
                self.add(
                    "ambiguous_branch",
                    f"two edges leave the {edge.handle!r} branch of this node",
                    source.id,
                    edge.id,
                )
            seen_branches.add((edge.source, edge.handle))
        if g.trigger() is not None:
            reachable = g.reachable()
            for node in g.nodes.values():
                if node.id not in reachable:
                    self.add("unreachable", "no path from the trigger leads here", node.id)

    def variables_used(self, node: Node) -> None:
        for text in _texts(node):
            for name in names(text):
                self._reference(node, name)
        if node.type == "condition":
            for entry in node.data.get("conditions") or []:
                if isinstance(entry, dict) and isinstance(entry.get("field"), str):
                    field_ = entry["field"]
                    if field_.startswith("vars.") or field_.startswith("contact.fields."):
                        self._reference(node, field_)

    def _reference(self, node: Node, name: str) -> None:
        if not known(name):
            self.add("unknown_variable", f"{{{{{name}}}}} is not a variable", node.id)
        elif name.startswith("vars.") and name.split(".")[1] not in self.variables:
            self.add(
                "unknown_variable",
                f"{{{{{name}}}}}: no node of this flow sets vars.{name.split('.')[1]} "
                "(a question's variable, a webhook's saveResponseTo, or the trigger's "
                "variables)",
                node.id,
            )

    def node(self, node: Node) -> None:
        d, where = node.data, node.id
        if node.waits_for_reply:
            self._reply(node)
        match node.type:
            case "message":
                if not _str(d.get("text")) and not _str(d.get("mediaUrl")):
                    self.add("missing_text", "a message needs text or a media URL", where)
                self._media(node)
            case "question":
                if not _str(d.get("text")):
                    self.add("missing_text", "a question needs the text to ask", where)
            case "ai":
                kb = d.get("knowledgeBaseId")
                if kb is not None and kb not in self.refs.knowledge_base_ids:
                    self.add("unknown_knowledge_base", "no such knowledge base here", where)
                tokens = d.get("maxTokens")
                if tokens is not None and not (isinstance(tokens, int) and 1 <= tokens <= 8192):
                    self.add("invalid_ai", "maxTokens is a whole number from 1 to 8192", where)
            case "condition":
                self._condition(node)
            case "delay":
                amount, unit = _number(d.get("amount")), d.get("unit", "minutes")
                if unit not in DELAY_UNITS:
                    self.add("invalid_delay", "unit is minutes, hours or days", where)
                elif amount is None or amount <= 0:
                    self.add("invalid_delay", "a delay needs an amount above 0", where)
                elif amount * DELAY_UNITS[unit] > MAX_DELAY_DAYS * 86400:
                    self.add("invalid_delay", f"a delay is at most {MAX_DELAY_DAYS} days", where)
            case "tag":
                if d.get("action", "add") not in ("add", "remove"):
                    self.add("invalid_tag", "action is add or remove", where)
                if d.get("labelId") not in self.refs.label_ids:
                    self.add("unknown_label", "choose one of this workspace's labels", where)
            case "webhook":
                self._webhook(node)
            case "assign":
                user = d.get("userId")
                if user is not None and user not in self.refs.user_ids:
                    self.add("unknown_user", "not a member of this workspace", where)

    def _reply(self, node: Node) -> None:
        d, where = node.data, node.id
        if node.type == "question" and not node.variable:
            self.add(
                "question_without_variable",
                "a question needs variableName: where to save the answer",
                where,
            )
        validation = d.get("validation")
        if validation is not None and validation not in VALIDATIONS:
            self.add("invalid_validation", f"validation is one of {', '.join(VALIDATIONS)}", where)
        if validation == "option" and not node.options:
            self.add("invalid_validation", "option validation needs buttons (options)", where)
        timeout = d.get("timeout")
        if timeout is not None and not ((n := _number(timeout)) and 0 < n <= 525600):
            self.add("invalid_timeout", "timeout is minutes, above 0 (at most a year)", where)
        retries = d.get("maxRetries")
        if retries is not None and not (isinstance(retries, int) and 0 <= retries <= 10):
            self.add("invalid_retries", "maxRetries is a whole number from 0 to 10", where)

    def _media(self, node: Node) -> None:
        url = _text(node.data.get("mediaUrl"))
        if url and not _literal_origin(url):
            self.add("invalid_url", "the media URL must start with http(s)://host", node.id)

    def _condition(self, node: Node) -> None:
        entries = node.data.get("conditions")
        if not isinstance(entries, list) or not entries:
            self.add("condition_invalid", "a condition needs at least one test", node.id)
            entries = []
        ids: set[str] = set()
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not entry.get("id"):
                self.add("condition_invalid", f"test {i + 1} has no id", node.id)
                continue
            if str(entry["id"]) in ids or entry["id"] == DEFAULT:
                self.add("condition_invalid", f"test id {entry['id']!r} is used twice", node.id)
            ids.add(str(entry["id"]))
            if why := conditions.problem(entry):
                code = "invalid_regex" if entry.get("operator") == "regex" else "condition_invalid"
                self.add(code, f"test {i + 1}: {why}", node.id)
        if not self.graph.has_branch(node.id, DEFAULT):
            self.add(
                "condition_without_default",
                "a condition needs a default branch (taken when no test holds)",
                node.id,
            )

    def _webhook(self, node: Node) -> None:
        d, where = node.data, node.id
        if d.get("method", "POST") not in METHODS:
            self.add("invalid_webhook", f"method is one of {', '.join(METHODS)}", where)
        url = _text(d.get("url"))
        if not url:
            self.add("invalid_webhook", "a webhook needs a URL", where)
        elif not _literal_origin(url):
            self.add(
                "invalid_url",
                "the URL must start with http(s)://host, without variables before the path",
                where,
            )
        headers = d.get("headers")
        if headers is not None and not (
            isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())
        ):
            self.add("invalid_webhook", "headers are names with text values", where)
        if d.get("body") is not None and not isinstance(d.get("body"), str):
            self.add("invalid_webhook", "body is a text (a JSON template, say)", where)
        timeout = d.get("timeout")
        if timeout is not None and not ((n := _number(timeout)) and 0 < n <= MAX_WEBHOOK_TIMEOUT_S):
            self.add("invalid_webhook", f"timeout is 1-{MAX_WEBHOOK_TIMEOUT_S} seconds", where)


def _str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _text(value: Any) -> str | None:
    """`value` when it is a non-blank text, else None."""
    return value if isinstance(value, str) and value.strip() else None


def _literal_origin(url: str) -> bool:
    """http(s)://host with no variable before the path: the host can be checked on save."""
    head = url.split("/", 3)
    origin = "/".join(head[:3])
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not TOKEN.search(origin)


def check(
    graph: Graph, trigger_type: FlowTrigger, trigger_config: dict[str, Any], refs: References
) -> list[Problem]:
    """The problems that need no network (everything but the SSRF check)."""
    variables = _set_variables(graph) | triggers.declared_variables(trigger_config)
    run = _Check(graph, refs, variables)
    start = graph.trigger()
    for why in triggers.problems(trigger_type, trigger_config, refs.label_ids):
        run.add("invalid_trigger", why, start.id if start else None)
    run.structure()
    for node in graph.nodes.values():
        run.node(node)
        run.variables_used(node)
    return run.found


async def validate(
    graph: Graph,
    trigger_type: FlowTrigger,
    trigger_config: dict[str, Any],
    refs: References,
    url_check: UrlCheck | None,
) -> list[Problem]:
    """Every problem of the flow, the SSRF guard's verdict on its URLs included."""
    found = check(graph, trigger_type, trigger_config, refs)
    if url_check is None:
        return found
    for node in graph.nodes.values():
        for key in ("url", "mediaUrl"):
            url = _text(node.data.get(key))
            if url is None or not _literal_origin(url):
                continue
            origin = "/".join(url.split("/", 3)[:3]) + "/"
            try:
                await url_check(origin)
            except Exception as exc:  # the guard's refusal (Blocked / FetchError): its words
                found.append(Problem(code="url_refused", message=f"{key}: {exc}", node_id=node.id))
    return found
