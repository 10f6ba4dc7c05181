// What the flow builder (ui/components/flow_canvas.js) imports as "aimy-vueflow".
// Vue is external: the page's Vue is NiceGUI's (import map entry "vue").
export { VueFlow, Handle, Position, MarkerType, useVueFlow } from "@vue-flow/core";
export { MiniMap } from "@vue-flow/minimap";
export { Controls } from "@vue-flow/controls";
export { Background } from "@vue-flow/background";
