"""The layer contracts of `app/README.md`, checked on the source (issue 11 #9).

Every `import` in `app/` and `ui/` is read with `ast` — module level, inside functions and
under `TYPE_CHECKING` alike: a dependency is a dependency, even when it is only for a type.
`from package import name` depends on `package.name` when that is a module (that is what runs),
else on the package itself. The rules:

- nothing imports a layer above its own (the FORBIDDEN table, one row per package);
- no cycle between packages (`app.<name>` and `ui.<name>`), and no circle between the
  modules of one package.

Fast (a fraction of a second) and dependency-free, so it runs in every `pytest`.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What each package must never import (prefix match on dotted module names).
_ABOVE_SERVICES = ("app.services", "app.api", "ui", "app.container", "app.server")
_ENGINES = ("app.pipeline", "app.ai", "app.flows", "app.rag", "app.answers", "app.jobs")
_ADAPTERS = ("app.channels", "app.llm", "app.embeddings", "app.speech", "app.vectors")
# what only the services (and the composition root) reach: a front door calls a service
_BEHIND_SERVICES = (
    *_ENGINES, *_ADAPTERS, "app.db", "app.records", "app.net", "app.secrets", "app.storage",
)  # fmt: skip
FORBIDDEN: dict[str, tuple[str, ...]] = {
    # the front doors talk to services, never to the tables (nor to what services wrap)
    "app.api": (*_BEHIND_SERVICES, "ui"),
    "ui": (*_BEHIND_SERVICES, "app.api", "app.auth"),
    # the composition root builds everything but the front doors
    "app.container": ("app.api", "ui", "app.server"),
    # use cases sit below the front doors and the composition root
    "app.services": ("app.api", "ui", "app.container", "app.server"),
    # engines: below the services; pipeline, rag and ai never import services, api or ui
    "app.pipeline": (*_ABOVE_SERVICES, "app.ai", "app.flows", "app.rag", "app.answers", "app.jobs"),
    "app.ai": (*_ABOVE_SERVICES, "app.flows", "app.jobs"),
    # flows: the router's flow slot and what moves runs; they reach the pipeline (responder
    # types, the outbox) and the AI's business hours, never the retrieval library or the jobs
    "app.flows": (*_ABOVE_SERVICES, "app.rag", "app.answers", "app.jobs"),
    "app.rag": (
        *_ABOVE_SERVICES,
        "app.pipeline",
        "app.ai",
        "app.flows",
        "app.answers",
        "app.jobs",
        "app.db",
    ),
    "app.jobs": (*_ABOVE_SERVICES, "app.pipeline", "app.ai", "app.flows", "app.rag", "app.answers"),
    # the no-model reader and the calibrated scorer: read retrieval's candidates, nothing above
    "app.answers": (*_ABOVE_SERVICES, "app.pipeline", "app.ai", "app.flows", "app.jobs", "app.db"),
    # adapters never import the pipeline or services (nor anything else above them)
    **{adapter: (*_ABOVE_SERVICES, *_ENGINES, "app.records") for adapter in _ADAPTERS},
    # records and plumbing sit under everything that writes them
    "app.records": (*_ABOVE_SERVICES, *_ENGINES, *_ADAPTERS),
    # several nodes (leases, the event bridge, jobs once per cluster): under the engines
    "app.cluster": (*_ABOVE_SERVICES, *_ENGINES, *_ADAPTERS, "app.records"),
    "app.auth": (*_ABOVE_SERVICES, *_ENGINES, *_ADAPTERS, "app.records", "app.db"),
    "app.secrets": (*_ABOVE_SERVICES, *_ENGINES, *_ADAPTERS, "app.records", "app.db"),
    "app.db": (*_ABOVE_SERVICES, *_ENGINES, *_ADAPTERS, "app.records", "app.events", "app.net"),
    "app.events": (*_ABOVE_SERVICES, *_ENGINES, *_ADAPTERS, "app.records", "app.db", "app.net"),
    "app.net": (*_ABOVE_SERVICES, *_ENGINES, *_ADAPTERS, "app.records", "app.db", "app.events"),
    "app.schemas": (*_ABOVE_SERVICES, *_ENGINES, *_ADAPTERS, "app.records", "app.db"),
    # where media lives (a folder or S3): plumbing, below everything that stores files
    "app.storage": (
        *_ABOVE_SERVICES,
        *_ENGINES,
        *_ADAPTERS,
        "app.records",
        "app.cluster",
        "app.db",
        "app.events",
        "app.net",
        "app.auth",
        "app.secrets",
    ),
    # the base every layer shares imports nothing of ours
    "app.domain": ("app", "ui"),
    "app.settings": ("app", "ui"),
    "app.idle_model": ("app", "ui"),  # the load-on-use/unload-when-idle holder adapters share
}
ALLOWED_IN_BASE = {"app.domain": ("app.domain",), "app.settings": (), "app.idle_model": ()}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    files = [*ROOT.glob("app/**/*.py"), *ROOT.glob("ui/**/*.py")]
    return {_module_name(f): f for f in sorted(files)}


def _resolve(name: str) -> str | None:
    """The module of ours `name` lives in (the longest known prefix), or None."""
    modules = _modules()
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imported(module: str, path: Path) -> Iterator[tuple[str, int]]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in _modules()]
            names = [(s, node.lineno) for s in subs]
            if len(subs) < len(node.names):
                names.append((base, node.lineno))
        else:
            continue
        for name, line in names:
            target = _resolve(name)
            if target is not None and target != module:
                yield target, line


@cache
def _edges() -> dict[str, dict[str, int]]:
    """module → {imported module of ours → first line}."""
    graph: dict[str, dict[str, int]] = defaultdict(dict)
    for module, path in _modules().items():
        for target, line in _imported(module, path):
            graph[module].setdefault(target, line)
    return graph


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _package(module: str) -> str:
    """`app.<name>` (a package or a top-level module) or `ui.<name>`; `ui` for ui/__init__."""
    return ".".join(module.split(".")[:2])


def _cycles(nodes: Iterable[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_walk_sees_the_whole_house() -> None:
    """Guards the test itself: it reads both trees and finds known imports."""
    modules = _modules()
    assert "app.container" in modules and "ui.page" in modules and len(modules) > 200
    assert "app.services" in {_package(t) for t in _edges()["app.container"]}


def test_no_layer_imports_one_above_it() -> None:
    broken = []
    for module, targets in _edges().items():
        for owner, banned in FORBIDDEN.items():
            if not _within(module, owner):
                continue
            allowed = ALLOWED_IN_BASE.get(owner, ())
            for target, line in targets.items():
                if any(_within(target, b) for b in banned) and not any(
                    _within(target, a) for a in allowed
                ):
                    broken.append(f"{_modules()[module].relative_to(ROOT)}:{line} → {target}")
    assert not broken, "imports across the layers of app/README.md:\n" + "\n".join(broken)


def test_no_import_cycle_between_packages() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for module, targets in _edges().items():
        for target in targets:
            if _package(module) != _package(target):
                edges[_package(module)].add(_package(target))
    packages = sorted({_package(m) for m in _modules()})
    assert _cycles(packages, edges) == []


def test_no_circle_between_modules_of_a_package() -> None:
    edges = {module: set(targets) for module, targets in _edges().items()}
    circles = [c for c in _cycles(sorted(_modules()), edges) if len({_package(m) for m in c}) == 1]
    assert circles == []


def test_the_checks_catch_a_break() -> None:
    """The cycle finder and the layer table do bite (a hand-made graph and a real rule)."""
    assert _cycles(["a", "b", "c"], {"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]
    assert _cycles(["a", "b"], {"a": {"b"}}) == []
    banned = FORBIDDEN["app.pipeline"]
    assert any(_within("app.services.notifications", b) for b in banned)
    assert any(_within("app.db.tables", b) for b in FORBIDDEN["ui"])
