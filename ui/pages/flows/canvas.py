"""`FlowCanvas`: the Vue Flow canvas as a NiceGUI element (canvas.js).

Vue Flow is bundled from npm into `assets/vendor/vueflow/dist` (its `build.sh` rebuilds it) and
served by NiceGUI as an ES module — no CDN, so the desktop app draws flows offline. The canvas
owns the graph while it is being edited and reports each settled change with the whole
document; this element keeps that copy (`doc`) for saving and validating, and pushes node data,
problems and counters back.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from nicegui import ui
from nicegui.events import GenericEventArguments

VUEFLOW = Path(__file__).resolve().parents[3] / "assets" / "vendor" / "vueflow" / "dist"

Doc = dict[str, list[dict[str, Any]]]


class FlowCanvas(
    ui.element,
    component=Path(__file__).with_name("canvas.js"),
    esm={"aimy-vueflow": str(VUEFLOW)},
):
    def __init__(
        self,
        doc: Doc,
        names: dict[str, Any],
        *,
        readonly: bool = False,
        on_change: Callable[[Doc, str], Awaitable[None] | None] | None = None,
        on_select: Callable[[str | None], Awaitable[None] | None] | None = None,
    ) -> None:
        super().__init__()
        self.add_resource(VUEFLOW)
        self.doc: Doc = {"nodes": list(doc.get("nodes", [])), "edges": list(doc.get("edges", []))}
        self._props["doc"] = self.doc
        self._props["names"] = names
        self._props["readonly"] = readonly
        self._on_change = on_change
        self._on_select = on_select
        self.on("change", self._changed)
        self.on("select", self._selected)

    def node(self, node_id: str | None) -> dict[str, Any] | None:
        return next((n for n in self.doc["nodes"] if n["id"] == node_id), None)

    async def _changed(self, event: GenericEventArguments) -> None:
        args = event.args or {}
        self.doc = {"nodes": list(args.get("nodes", [])), "edges": list(args.get("edges", []))}
        if self._on_change is not None:
            # what made the change: "add", "move", "connect", "remove", "data:<node id>"
            # (the side panel's own edit), "undo", "redo"
            result = self._on_change(self.doc, str(args.get("origin") or "edit"))
            if result is not None:
                await result

    async def _selected(self, event: GenericEventArguments) -> None:
        node_id = (event.args or {}).get("id")
        if self._on_select is not None:
            result = self._on_select(node_id)
            if result is not None:
                await result

    def set_node_data(self, node_id: str, data: dict[str, Any]) -> None:
        """Replace a node's data (the side panel's edit); the canvas makes it an undo step."""
        node = self.node(node_id)
        if node is not None:
            node["data"] = copy.deepcopy(data)
        self.run_method("setNodeData", node_id, data)

    def remove_node(self, node_id: str) -> None:
        self.run_method("removeNode", node_id)

    def undo(self) -> None:
        self.run_method("undo")

    def redo(self) -> None:
        self.run_method("redo")

    def fit(self) -> None:
        self.run_method("fit")

    def show_problems(self, by_node: dict[str, list[str]]) -> None:
        self.run_method("setProblems", by_node)

    def show_stats(self, by_node: dict[str, str]) -> None:
        self.run_method("setStats", by_node)

    def set_names(self, names: dict[str, Any]) -> None:
        self.run_method("setNames", names)
