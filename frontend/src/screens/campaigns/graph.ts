// Pure graph logic of the campaign builder: add/remove/connect events, copy/paste of
// branches with new ids, dagre auto-layout, undo/redo history and the instant client checks.
// Nothing here touches React or the backend, so it is unit-tested on its own.

import { Graph as DagreGraph, layout as dagreLayout } from "@dagrejs/dagre";
import {
  blankTrigger,
  type CampaignEvent,
  type CampaignSource,
  type EventSpec,
  type Graph,
  type Problem,
} from "../../api/campaigns";
import { commit, type History as H, history, redo, undo } from "../../history";

/** DETACHED is the parent of an event that is on the canvas but not connected yet (dropped
 * from the palette, or whose incoming edge was deleted). The backend reports it as
 * campaigns.problems.unconnected because no event has that id. */
export const DETACHED = "~unconnected";

export const NODE_W = 240;
export const NODE_H = 96;

export interface Anchor {
  parent: string | null; // null = runs off the sources
  path: "" | "yes" | "no";
}

let seq = 0;
/** newId returns a fresh id (UUID when the platform has one). */
export function newId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  seq += 1;
  return `ev-${Date.now().toString(36)}-${seq}-${Math.random().toString(36).slice(2, 8)}`;
}

export function events(g: Graph): CampaignEvent[] {
  return g.events ?? [];
}
export function sources(g: Graph): CampaignSource[] {
  return g.sources ?? [];
}

export function emptyGraph(): Graph {
  return { sources: [], events: [] };
}

/** isBranching says whether a kind has yes/no outputs. */
export function isBranching(kind: string): boolean {
  return kind === "decision" || kind === "condition";
}

/** children lists the events whose parent is id (null: root events). */
export function children(g: Graph, id: string | null): CampaignEvent[] {
  return events(g).filter((e) => (e.parent ?? null) === id);
}

/** descendants returns id and every event below it. */
export function descendants(g: Graph, id: string): Set<string> {
  const out = new Set<string>([id]);
  const kids = new Map<string, string[]>();
  for (const e of events(g)) {
    if (e.parent) kids.set(e.parent, [...(kids.get(e.parent) ?? []), e.id]);
  }
  const stack = [id];
  while (stack.length > 0) {
    const cur = stack.pop() as string;
    for (const k of kids.get(cur) ?? []) {
      if (!out.has(k)) {
        out.add(k);
        stack.push(k);
      }
    }
  }
  return out;
}

/** anchorPosition is where a new child of anchor goes before any layout. */
function anchorPosition(g: Graph, a: Anchor): { x: number; y: number } {
  const parent = a.parent ? events(g).find((e) => e.id === a.parent) : undefined;
  const srcs = sources(g);
  const base = parent ?? srcs[0] ?? { x: 0, y: -NODE_H - 60 };
  const siblings =
    a.parent === null ? children(g, null) : children(g, a.parent).filter((e) => e.path === a.path);
  let dx = siblings.length * (NODE_W + 40);
  if (a.path === "yes") dx -= NODE_W / 2 + 20;
  if (a.path === "no") dx += NODE_W / 2 + 20;
  return { x: base.x + dx, y: base.y + NODE_H + 60 };
}

/** defaultProps starts a required choice on its first option (a field condition's operator
 * on "equals"), as Mautic's forms do. */
export function defaultProps(spec: EventSpec): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const p of spec.props ?? []) {
    const first = p.options?.[0];
    if (p.required && p.type === "select" && first) props[p.name] = first.value;
  }
  return props;
}

/** addEvent adds an event of spec's type under anchor; it returns the graph and the new id. */
export function addEvent(g: Graph, spec: EventSpec, a: Anchor, name = ""): { graph: Graph; id: string } {
  const id = newId();
  const pos = a.parent === DETACHED ? { x: 0, y: 0 } : anchorPosition(g, a);
  const ev: CampaignEvent = {
    id,
    name,
    kind: spec.kind,
    type: spec.type,
    parent: a.parent,
    path: a.parent && a.parent !== DETACHED ? a.path : "",
    trigger: blankTrigger(),
    props: defaultProps(spec),
    x: pos.x,
    y: pos.y,
  };
  return { graph: { ...g, events: [...events(g), ev] }, id };
}

/** placeEvent moves one event (or source) to x, y. */
export function placeNode(g: Graph, id: string, x: number, y: number): Graph {
  return {
    sources: sources(g).map((s) => (s.id === id ? { ...s, x, y } : s)),
    events: events(g).map((e) => (e.id === id ? { ...e, x, y } : e)),
  };
}

/** updateEvent replaces the fields of one event. */
export function updateEvent(g: Graph, id: string, patch: Partial<CampaignEvent>): Graph {
  return { ...g, events: events(g).map((e) => (e.id === id ? { ...e, ...patch } : e)) };
}

export function updateSource(g: Graph, id: string, patch: Partial<CampaignSource>): Graph {
  return { ...g, sources: sources(g).map((s) => (s.id === id ? { ...s, ...patch } : s)) };
}

export function addSource(g: Graph, type: "segment" | "form"): { graph: Graph; id: string } {
  const id = newId();
  const srcs = sources(g);
  const s: CampaignSource = { id, type, ids: [], x: srcs.length * (NODE_W + 40), y: -NODE_H - 60 };
  return { graph: { ...g, sources: [...srcs, s] }, id };
}

/** removeNodes deletes sources and events; an event takes its whole branch with it. */
export function removeNodes(g: Graph, ids: Iterable<string>): Graph {
  const gone = new Set<string>();
  for (const id of ids) {
    if (sources(g).some((s) => s.id === id)) gone.add(id);
    else for (const d of descendants(g, id)) gone.add(d);
  }
  return {
    sources: sources(g).filter((s) => !gone.has(s.id)),
    events: events(g).filter((e) => !gone.has(e.id)),
  };
}

/** connect makes child run after parent (null: off the sources) on path; it refuses
 * (returns g unchanged) a connection that would make the parents loop. */
export function connect(g: Graph, child: string, parent: string | null, path: "" | "yes" | "no"): Graph {
  if (parent === child) return g;
  if (parent && descendants(g, child).has(parent)) return g;
  const p = parent ? events(g).find((e) => e.id === parent) : undefined;
  if (parent && !p) return g;
  const realPath = p && isBranching(p.kind) ? (path === "" ? "yes" : path) : "";
  return updateEvent(g, child, { parent, path: realPath });
}

/** detach disconnects an event from its parent (its branch stays under it). */
export function detach(g: Graph, id: string): Graph {
  return updateEvent(g, id, { parent: DETACHED, path: "" });
}

/** copyBranch returns the event and everything below it, root first. */
export function copyBranch(g: Graph, id: string): CampaignEvent[] {
  const ids = descendants(g, id);
  const root = events(g).find((e) => e.id === id);
  if (!root) return [];
  return [root, ...events(g).filter((e) => e.id !== id && ids.has(e.id))].map((e) => structuredClone(e));
}

/** pasteBranch inserts a copied branch under anchor with fresh ids; parents and jump
 * targets inside the branch follow the new ids. It returns the graph and the new root id. */
export function pasteBranch(g: Graph, clip: CampaignEvent[], a: Anchor): { graph: Graph; id: string } {
  const first = clip[0];
  if (!first) return { graph: g, id: "" };
  const map = new Map<string, string>();
  for (const e of clip) map.set(e.id, newId());
  const pos = a.parent === DETACHED ? { x: first.x + 40, y: first.y + 40 } : anchorPosition(g, a);
  const dx = pos.x - first.x;
  const dy = pos.y - first.y;
  const pasted = clip.map((e, i): CampaignEvent => {
    const props = { ...(e.props ?? {}) };
    if (e.type === "jump" && typeof props.event === "string" && map.has(props.event)) {
      props.event = map.get(props.event);
    }
    return {
      ...structuredClone(e),
      id: map.get(e.id) as string,
      parent: i === 0 ? a.parent : (map.get(e.parent ?? "") ?? a.parent),
      path: i === 0 ? (a.parent && a.parent !== DETACHED ? a.path : "") : e.path,
      props,
      x: e.x + dx,
      y: e.y + dy,
    };
  });
  return { graph: { ...g, events: [...events(g), ...pasted] }, id: pasted[0]?.id ?? "" };
}

/** anchorFor says where "add after" / paste puts a new event when node id is selected:
 * under an action; on the first free path of a decision or condition (yes, then no);
 * off the sources when a source (or nothing) is selected. */
export function anchorFor(g: Graph, id: string | null): Anchor {
  const ev = id ? events(g).find((e) => e.id === id) : undefined;
  if (!ev) return { parent: null, path: "" };
  if (!isBranching(ev.kind)) return { parent: ev.id, path: "" };
  const kids = children(g, ev.id);
  return {
    parent: ev.id,
    path: kids.some((k) => k.path === "yes") && !kids.some((k) => k.path === "no") ? "no" : "yes",
  };
}

export interface LayoutInput {
  nodes: string[];
  edges: [string, string][];
  /** same-rank ordering: left before right (yes children left of no children). */
  order: { left: string; right: string }[];
}

/** layoutInput is what dagre gets: sources first, then events; edges source→root event and
 * parent→child (yes before no so yes branches stay on the left). */
export function layoutInput(g: Graph): LayoutInput {
  const srcs = sources(g);
  const evs = events(g);
  const ids = new Set(evs.map((e) => e.id));
  const rank = (p: string) => (p === "yes" ? 0 : p === "no" ? 2 : 1);
  const sorted = [...evs].sort((a, b) => rank(a.path) - rank(b.path));
  const nodes = [...srcs.map((s) => s.id), ...sorted.map((e) => e.id)];
  const edges: [string, string][] = [];
  for (const e of sorted) {
    if (e.parent === null) for (const s of srcs) edges.push([s.id, e.id]);
    else if (ids.has(e.parent)) edges.push([e.parent, e.id]);
  }
  const order: { left: string; right: string }[] = [];
  for (const p of evs) {
    if (!isBranching(p.kind)) continue;
    const kids = sorted.filter((e) => e.parent === p.id);
    for (let i = 1; i < kids.length; i++) {
      const a = kids[i - 1];
      const b = kids[i];
      if (a && b && a.path !== b.path) order.push({ left: a.id, right: b.id });
    }
  }
  return { nodes, edges, order };
}

/** needsLayout says whether two nodes share a position: a graph imported without positions
 *  (written by hand, or from another tool) would open as one pile of nodes. */
export function needsLayout(g: Graph): boolean {
  const seen = new Set<string>();
  for (const n of [...sources(g), ...events(g)]) {
    const key = `${n.x ?? 0},${n.y ?? 0}`;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/** autoLayout places every node top-to-bottom with dagre. */
export function autoLayout(g: Graph): Graph {
  const input = layoutInput(g);
  const dg = new DagreGraph();
  dg.setGraph({ rankdir: "TB", nodesep: 40, ranksep: 70, marginx: 20, marginy: 20 });
  dg.setDefaultEdgeLabel(() => ({}));
  for (const id of input.nodes) dg.setNode(id, { width: NODE_W, height: NODE_H });
  for (const [a, b] of input.edges) dg.setEdge(a, b);
  dagreLayout(dg, { constraints: input.order });
  const pos = (id: string) => {
    const n = dg.node(id) as { x: number; y: number } | undefined;
    return n ? { x: Math.round(n.x - NODE_W / 2), y: Math.round(n.y - NODE_H / 2) } : undefined;
  };
  return {
    sources: sources(g).map((s) => ({ ...s, ...(pos(s.id) ?? {}) })),
    events: events(g).map((e) => ({ ...e, ...(pos(e.id) ?? {}) })),
  };
}

// ---- history (undo/redo kept in memory: ../../history) ----

export type History = H<Graph>;
export { commit, history, redo, undo };

// ---- instant client checks (the backend's Validate runs debounced on top) ----

function problem(eventId: string, key: string, message: string, params?: Record<string, unknown>): Problem {
  return { eventId, key: `campaigns.problems.${key}`, params: params ?? null, message };
}

/** clientProblems finds, without a round trip: unconnected events, decisions without a
 * path, children of decisions without yes/no, jumps that loop and waits in the past. */
export function clientProblems(g: Graph, now: Date): Problem[] {
  const out: Problem[] = [];
  const evs = events(g);
  const byId = new Map(evs.map((e) => [e.id, e]));
  for (const e of evs) {
    const label = e.name || e.type;
    if (e.parent !== null && !byId.has(e.parent)) {
      out.push(problem(e.id, "unconnected", `${label}: not connected`));
    } else if (e.parent !== null) {
      const p = byId.get(e.parent);
      if (p && isBranching(p.kind) && e.path !== "yes" && e.path !== "no")
        out.push(problem(e.id, "pathRequired", `${label}: connect it to the yes or the no path`));
    }
    if (e.kind === "decision" && children(g, e.id).length === 0)
      out.push(problem(e.id, "decisionNoPath", `${label}: a decision needs at least one path`));
    if (e.trigger?.mode === "date") {
      const at = Date.parse(e.trigger.date);
      if (Number.isNaN(at))
        out.push(problem(e.id, "badTrigger", `${label}: choose the date`, { field: "date" }));
      else if (at < now.getTime())
        out.push(
          problem(e.id, "datePast", `${label}: the wait date is in the past`, { date: e.trigger.date }),
        );
    }
  }
  // Jumps: from a jump's target, can we reach the jump again (children and further jumps)?
  const kids = new Map<string, string[]>();
  for (const e of evs) if (e.parent) kids.set(e.parent, [...(kids.get(e.parent) ?? []), e.id]);
  for (const e of evs) {
    if (e.type !== "jump") continue;
    const start = e.props?.event;
    if (typeof start !== "string" || !byId.has(start)) continue;
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const cur = stack.pop() as string;
      if (seen.has(cur)) continue;
      seen.add(cur);
      stack.push(...(kids.get(cur) ?? []));
      const ev = byId.get(cur);
      if (ev?.type === "jump" && typeof ev.props?.event === "string") stack.push(ev.props.event);
    }
    if (seen.has(e.id))
      out.push(
        problem(e.id, "jumpCycle", `${e.name || e.type}: this jump leads back to itself`, { event: start }),
      );
  }
  return out;
}

/** mergeProblems keeps one problem per (node, key, message) — client checks first. */
export function mergeProblems(a: Problem[], b: Problem[]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of [...a, ...b]) {
    const node = p.eventId || p.sourceId || "";
    const k = `${node}|${p.key}|${p.key === "campaigns.problems.required" ? JSON.stringify(p.params) : ""}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
}

/** problemsByNode groups problems by the event or source they are about. */
export function problemsByNode(ps: Problem[]): Map<string, Problem[]> {
  const m = new Map<string, Problem[]>();
  for (const p of ps) {
    const id = p.eventId || p.sourceId || "";
    if (!id) continue;
    m.set(id, [...(m.get(id) ?? []), p]);
  }
  return m;
}
