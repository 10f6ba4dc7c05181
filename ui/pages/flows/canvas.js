// The flow builder's canvas: Vue Flow (assets/vendor/vueflow, imported as "aimy-vueflow")
// with a palette to drag nodes from, pan/zoom, minimap, controls and undo.
//
// The canvas owns the graph while it is edited; after every settled change (a drop, a drag
// that ended, a connection, a deletion, data set from the side panel, an undo) it emits
// `change` with the document in the API's format ({nodes: [{id, type, position, data}],
// edges: [{id, source, target, sourceHandle}]}). Python (canvas.py) keeps that copy, edits a
// node's data through `setNodeData`, and sends the validation problems back (`setProblems`).
import { markRaw } from "vue";
import { VueFlow, Handle, MiniMap, Controls, Background } from "aimy-vueflow";
import { loadResource } from "../../static/utils/resources.js";

export const KINDS = [
  { type: "message", label: "Message", icon: "chat" },
  { type: "question", label: "Question", icon: "help" },
  { type: "ai", label: "AI answer", icon: "smart_toy" },
  { type: "condition", label: "Condition", icon: "call_split" },
  { type: "delay", label: "Delay", icon: "schedule" },
  { type: "tag", label: "Label", icon: "sell" },
  { type: "webhook", label: "Webhook", icon: "webhook" },
  { type: "assign", label: "Hand to a human", icon: "support_agent" },
  { type: "end", label: "End", icon: "flag" },
];
const TITLES = Object.fromEntries([["trigger", "Trigger"], ...KINDS.map((k) => [k.type, k.label])]);
const ICONS = Object.fromEntries([["trigger", "bolt"], ...KINDS.map((k) => [k.type, k.icon])]);
const MERGE_MS = 1500; // side-panel edits of one node this close together are one undo step

function options(data) {
  const buttons = Array.isArray(data?.buttons) ? data.buttons : [];
  return buttons.map((b) => String(b ?? "").trim()).filter((b) => b);
}

// The branches a node may take (app/flows/graph.py Node.handles, same order of thought)
export function handlesOf(type, data) {
  if (type === "end") return [];
  if (type === "condition") {
    const entries = Array.isArray(data?.conditions) ? data.conditions : [];
    const ids = entries.filter((c) => c && c.id).map((c) => ({ id: String(c.id), label: label(c) }));
    return [...ids, { id: "default", label: "otherwise" }];
  }
  if (type === "webhook") return [{ id: "default", label: "ok" }, { id: "failure", label: "failure" }];
  if (type === "question" || (type === "message" && options(data).length)) {
    return [
      { id: "default", label: "answered" },
      { id: "timeout", label: "timeout" },
      { id: "failure", label: "no valid answer" },
    ];
  }
  return [{ id: "default", label: "" }];
}

function label(entry) {
  if (entry.field === "businessHours") return `business hours ${entry.operator || "open"}`;
  const value = entry.operator === "isEmpty" ? "" : ` "${entry.value ?? ""}"`;
  return `${entry.field || "?"} ${entry.operator || "?"}${value}`;
}

function clip(text, n = 80) {
  const s = String(text ?? "").replace(/\s+/g, " ").trim();
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

function summary(type, data, names) {
  const d = data || {};
  switch (type) {
    case "message":
      return clip(d.text || d.caption || (d.mediaUrl ? "media" : "")) +
        (options(d).length ? ` [${options(d).map((o, i) => `${i + 1}. ${o}`).join(", ")}]` : "");
    case "question":
      return clip(d.text) + (d.variableName ? ` → vars.${d.variableName}` : "");
    case "ai":
      return d.knowledgeBaseId ? `knowledge base: ${names?.kbs?.[d.knowledgeBaseId] || "?"}` : "the AI answers";
    case "delay":
      return `wait ${d.amount ?? "?"} ${d.unit || "minutes"}`;
    case "tag":
      return `${d.action === "remove" ? "remove" : "add"} ${names?.labels?.[d.labelId] || "(choose a label)"}`;
    case "webhook":
      return `${d.method || "POST"} ${clip(d.url, 40)}` + (d.saveResponseTo ? ` → vars.${d.saveResponseTo}` : "");
    case "assign":
      return d.userId ? `to ${names?.users?.[d.userId] || "?"}` : "to any human";
    case "condition":
      return "";
    case "trigger":
      return names?.trigger || "";
    default:
      return "";
  }
}

// One node component for every type: a title, a line of what it does, one source handle per
// branch (with its name), and the validation problems that point at it.
const FlowNode = {
  components: { Handle },
  inheritAttrs: false, // Vue Flow passes every node field; only these four are drawn
  props: ["id", "type", "data", "selected"],
  inject: ["aimyBuilder"],
  computed: {
    problems() {
      return this.aimyBuilder.problems[this.id] || [];
    },
    stats() {
      return this.aimyBuilder.stats[this.id];
    },
    handles() {
      return handlesOf(this.type, this.data);
    },
    title() {
      return TITLES[this.type] || this.type;
    },
    icon() {
      return ICONS[this.type] || "circle";
    },
    summary() {
      return summary(this.type, this.data, this.aimyBuilder.names);
    },
  },
  template: `
    <div class="aimy-node" :class="{ 'aimy-node--bad': problems.length, 'aimy-node--selected': selected }"
         :data-node-id="id" :data-node-type="type">
      <Handle v-if="type !== 'trigger'" type="target" position="left" />
      <div class="aimy-node__title">
        <span class="material-icons aimy-node__icon">{{ icon }}</span>
        <span>{{ title }}</span>
        <span v-if="stats" class="aimy-node__stats" :title="'visits · waiting now'">{{ stats }}</span>
      </div>
      <div v-if="summary" class="aimy-node__summary">{{ summary }}</div>
      <div v-for="h in handles" :key="h.id" class="aimy-node__branch" :data-handle="h.id">
        <span>{{ h.label }}</span>
        <Handle type="source" position="right" :id="h.id" />
      </div>
      <ul v-if="problems.length" class="aimy-node__problems">
        <li v-for="(p, i) in problems" :key="i">{{ p }}</li>
      </ul>
    </div>`,
};

const STYLE = `
.aimy-builder { display: flex; width: 100%; height: 100%; min-height: 420px; }
.aimy-palette { width: 150px; flex: none; padding: 8px; border-right: 1px solid #e0e0e0;
  background: #fafafa; display: flex; flex-direction: column; gap: 6px; overflow-y: auto; }
.aimy-palette__hint { font-size: 11px; color: #757575; }
.aimy-palette__item { display: flex; align-items: center; gap: 6px; padding: 6px 8px; cursor: grab;
  border: 1px solid #cfd8dc; border-radius: 6px; background: white; font-size: 13px; user-select: none; }
.aimy-palette__item:hover { border-color: #00897b; }
.aimy-canvas { flex: 1; position: relative; }
.aimy-node { background: white; border: 1px solid #90a4ae; border-radius: 8px; padding: 6px 10px;
  min-width: 170px; max-width: 240px; font-size: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.aimy-node--selected { border-color: #00897b; box-shadow: 0 0 0 2px rgba(0,137,123,.35); }
.aimy-node--bad { border-color: #c62828; background: #fff5f5; }
.aimy-node__title { display: flex; align-items: center; gap: 4px; font-weight: 600; font-size: 13px; }
.aimy-node__icon { font-size: 16px; color: #00897b; }
.aimy-node__stats { margin-left: auto; font-weight: 400; color: #607d8b; font-size: 11px; }
.aimy-node__summary { color: #455a64; margin-top: 2px; white-space: normal; word-break: break-word; }
.aimy-node__branch { position: relative; text-align: right; color: #607d8b; font-size: 11px;
  min-height: 16px; padding-right: 4px; margin-top: 2px; }
.aimy-node__branch .vue-flow__handle { right: -15px; }
.aimy-node__problems { margin: 4px 0 0; padding-left: 14px; color: #c62828; font-size: 11px; }
.aimy-builder .vue-flow__handle { width: 10px; height: 10px; background: #00897b; }
`;

export default {
  components: { VueFlow, MiniMap, Controls, Background },
  props: {
    doc: Object, // {nodes, edges} at mount
    names: Object, // {labels, kbs, users: {id: name}, trigger: "what starts the flow"}
    readonly: Boolean,
    resourcePath: String,
  },
  provide() {
    return { aimyBuilder: this.shared };
  },
  data() {
    const nodeTypes = {};
    for (const type of ["trigger", ...KINDS.map((k) => k.type)]) nodeTypes[type] = markRaw(FlowNode);
    return {
      kinds: KINDS,
      nodeTypes,
      nodes: [],
      edges: [],
      history: [], // serialised documents, the last one is what the canvas shows
      future: [],
      lastEdit: null, // {key, at}: merges a burst of side-panel edits into one undo step
      shared: { problems: {}, stats: {}, names: this.names || {} },
      flow: null, // the Vue Flow store (from @init)
    };
  },
  template: `
    <div class="aimy-builder">
      <div v-if="!readonly" class="aimy-palette" data-testid="flow-palette">
        <div class="aimy-palette__hint">Drag a step onto the canvas</div>
        <div v-for="k in kinds" :key="k.type" class="aimy-palette__item" draggable="true"
             :data-palette="k.type" @dragstart="onDragStart($event, k.type)">
          <span class="material-icons" style="font-size:16px;color:#00897b">{{ k.icon }}</span>{{ k.label }}
        </div>
      </div>
      <div class="aimy-canvas" @drop="onDrop" @dragover="onDragOver" data-testid="flow-canvas">
        <VueFlow v-model:nodes="nodes" v-model:edges="edges" :node-types="nodeTypes"
                 :nodes-draggable="!readonly" :nodes-connectable="!readonly"
                 :elements-selectable="true" :delete-key-code="readonly ? null : ['Backspace', 'Delete']"
                 :default-edge-options="{ type: 'smoothstep' }" :min-zoom="0.2" :max-zoom="2"
                 @init="onInit" @connect="onConnect" @node-click="onNodeClick" @pane-click="onPaneClick"
                 @node-drag-stop="commit('move')" @nodes-change="onNodesChange" @edges-change="onEdgesChange">
          <Background :gap="16" />
          <MiniMap pannable zoomable />
          <Controls :show-interactive="false" />
        </VueFlow>
      </div>
    </div>`,
  mounted() {
    this.keys = (event) => this.onKey(event);
    document.addEventListener("keydown", this.keys);
    this.$nextTick().then(() => loadResource(window.path_prefix + `${this.resourcePath}/vueflow.css`));
    if (!document.getElementById("aimy-flow-style")) {
      document.head.append(Object.assign(document.createElement("style"), { id: "aimy-flow-style", textContent: STYLE }));
    }
    this.show(this.doc || { nodes: [], edges: [] });
    this.history = [this.serialise()];
  },
  unmounted() {
    document.removeEventListener("keydown", this.keys);
  },
  methods: {
    // --- the document --------------------------------------------------------------------
    show(doc) {
      this.nodes = (doc.nodes || []).map((n) => ({
        id: n.id,
        type: n.type,
        position: { x: n.position?.x ?? 0, y: n.position?.y ?? 0 },
        data: JSON.parse(JSON.stringify(n.data || {})),
        deletable: n.type !== "trigger", // where runs start; the palette has no second one
      }));
      this.edges = (doc.edges || []).map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: e.sourceHandle || "default",
        label: e.label,
      }));
    },
    document() {
      return {
        nodes: this.nodes.map((n) => ({
          id: n.id,
          type: n.type,
          position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
          data: JSON.parse(JSON.stringify(n.data || {})),
        })),
        edges: this.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, sourceHandle: e.sourceHandle || "default" })),
      };
    },
    serialise() {
      return JSON.stringify(this.document());
    },
    // a settled change: one undo step (or merged into the last one), and Python is told
    commit(key) {
      const now = Date.now();
      const current = this.serialise();
      if (current === this.history[this.history.length - 1]) return;
      const merge = key && key.startsWith("data:") && this.lastEdit && this.lastEdit.key === key && now - this.lastEdit.at < MERGE_MS;
      if (merge) this.history[this.history.length - 1] = current;
      else this.history.push(current);
      if (this.history.length > 200) this.history.shift();
      this.future = [];
      this.lastEdit = { key, at: now };
      this.$emit("change", { ...JSON.parse(current), origin: key || "edit" });
    },
    undo() {
      if (this.history.length < 2) return false;
      this.future.push(this.history.pop());
      this.show(JSON.parse(this.history[this.history.length - 1]));
      this.lastEdit = null;
      this.$emit("change", { ...JSON.parse(this.history[this.history.length - 1]), origin: "undo" });
      return true;
    },
    redo() {
      if (!this.future.length) return false;
      const next = this.future.pop();
      this.history.push(next);
      this.show(JSON.parse(next));
      this.lastEdit = null;
      this.$emit("change", { ...JSON.parse(next), origin: "redo" });
      return true;
    },
    // --- from Python ---------------------------------------------------------------------
    setNodeData(id, data) {
      const node = this.nodes.find((n) => n.id === id);
      if (!node) return;
      node.data = JSON.parse(JSON.stringify(data || {}));
      // a branch that no longer exists (a condition entry removed, options cleared) loses its edge
      const allowed = new Set(handlesOf(node.type, node.data).map((h) => h.id));
      this.edges = this.edges.filter((e) => e.source !== id || allowed.has(e.sourceHandle || "default"));
      this.commit(`data:${id}`);
    },
    removeNode(id) {
      this.nodes = this.nodes.filter((n) => n.id !== id);
      this.edges = this.edges.filter((e) => e.source !== id && e.target !== id);
      this.commit("remove");
      this.$emit("select", { id: null });
    },
    setProblems(byNode) {
      this.shared.problems = byNode || {};
    },
    setStats(byNode) {
      this.shared.stats = byNode || {};
    },
    setNames(names) {
      this.shared.names = names || {};
    },
    fit() {
      this.flow?.fitView({ padding: 0.2 });
    },
    // --- Vue Flow events -----------------------------------------------------------------
    onInit(store) {
      this.flow = store;
      setTimeout(() => store.fitView({ padding: 0.2, maxZoom: 1 }), 50);
    },
    onConnect(params) {
      if (this.readonly || params.source === params.target) return;
      const handle = params.sourceHandle || "default";
      // a branch leads to one place: connecting it again moves it
      const kept = this.edges.filter((e) => !(e.source === params.source && (e.sourceHandle || "default") === handle));
      const id = `e-${params.source}-${handle}-${params.target}-${Math.random().toString(36).slice(2, 6)}`;
      this.edges = [...kept, { id, source: params.source, target: params.target, sourceHandle: handle }];
      this.commit("connect");
    },
    onNodesChange(changes) {
      if (changes.some((c) => c.type === "remove")) {
        this.$nextTick(() => {
          this.commit("remove");
          this.$emit("select", { id: null });
        });
      }
    },
    onEdgesChange(changes) {
      if (changes.some((c) => c.type === "remove")) this.$nextTick(() => this.commit("remove"));
    },
    onNodeClick(event) {
      this.$emit("select", { id: event.node.id });
    },
    onPaneClick() {
      this.$emit("select", { id: null });
    },
    onKey(event) {
      const mod = event.ctrlKey || event.metaKey;
      const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target?.tagName) || event.target?.isContentEditable;
      if (!mod || typing || this.readonly) return;
      if (event.key === "z" && !event.shiftKey) {
        event.preventDefault();
        this.undo();
      } else if (event.key === "y" || (event.key === "z" && event.shiftKey)) {
        event.preventDefault();
        this.redo();
      }
    },
    // --- the palette ---------------------------------------------------------------------
    onDragStart(event, type) {
      event.dataTransfer.setData("application/x-aimy-node", type);
      event.dataTransfer.effectAllowed = "move";
    },
    onDragOver(event) {
      if (this.readonly) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    },
    onDrop(event) {
      const type = event.dataTransfer?.getData("application/x-aimy-node");
      if (!type || this.readonly || !this.flow) return;
      event.preventDefault();
      const at = this.flow.screenToFlowCoordinate({ x: event.clientX, y: event.clientY });
      const taken = new Set(this.nodes.map((n) => n.id));
      let n = 1;
      while (taken.has(`${type}-${n}`)) n += 1;
      const id = `${type}-${n}`;
      this.nodes = [...this.nodes, { id, type, position: { x: Math.round(at.x), y: Math.round(at.y) }, data: defaults(type) }];
      this.commit("add");
      this.$emit("select", { id });
    },
  },
};

// What a new node starts with (the side panel edits the rest)
function defaults(type) {
  switch (type) {
    case "message":
      return { text: "" };
    case "question":
      return { text: "", variableName: "", validation: "text" };
    case "condition":
      return { conditions: [{ id: "c1", field: "message.text", operator: "contains", value: "" }] };
    case "delay":
      return { amount: 1, unit: "hours" };
    case "tag":
      return { action: "add", labelId: "" };
    case "webhook":
      return { url: "", method: "POST", saveResponseTo: "" };
    default:
      return {};
  }
}
