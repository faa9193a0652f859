// Graph → React Flow nodes and edges (pure, so the canvas re-renders from the one graph).
import type { Edge, Node } from "@xyflow/react";
import type { CampaignEvent, Counts, Graph, PathCounts } from "../../api/campaigns";
import { type Anchor, events, isBranching, sources } from "./graph";
import type { EventNodeData, SourceNodeData } from "./nodes";

export interface FlowInput {
  graph: Graph;
  selected: string | null;
  selectedEdge: string | null;
  readOnly: boolean;
  problems: Map<string, string[]>;
  counts?: Record<string, Counts> | null;
  sim?: Record<string, PathCounts> | null;
  words: {
    kind: (k: string) => string;
    type: (t: string) => string;
    summary: (e: CampaignEvent) => string;
    source: (type: string) => string;
    sourceItems: (type: string, ids: string[]) => string;
    counts: (c: Counts) => string;
    sim: (c: PathCounts, branching: boolean) => string;
    nodeLabel: (kind: string, name: string) => string;
    add: (name: string) => EventNodeData["addLabels"];
    addRoot: string;
  };
  onAdd: (a: Anchor) => void;
}

export function buildNodes(f: FlowInput): Node[] {
  const { words } = f;
  const out: Node[] = [];
  for (const s of sources(f.graph)) {
    const data: SourceNodeData = {
      src: s,
      title: words.source(s.type),
      items: words.sourceItems(s.type, s.ids ?? []),
      problems: f.problems.get(s.id) ?? [],
      readOnly: f.readOnly,
      addLabel: words.addRoot,
      onAdd: f.onAdd,
    };
    out.push({
      id: s.id,
      type: "source",
      position: { x: s.x, y: s.y },
      data,
      selected: s.id === f.selected,
      draggable: !f.readOnly,
      connectable: !f.readOnly,
      ariaLabel: words.nodeLabel(words.source(s.type), data.items),
    });
  }
  for (const e of events(f.graph)) {
    const name = e.name || words.type(e.type);
    const counts = f.counts?.[e.id];
    const sim = f.sim?.[e.id];
    const problems = f.problems.get(e.id) ?? [];
    const data: EventNodeData = {
      ev: e,
      kindLabel: words.kind(e.kind),
      typeLabel: words.type(e.type),
      summary: words.summary(e),
      problems,
      counts: f.counts ? (counts ?? { done: 0, scheduled: 0, waiting: 0, failed: 0 }) : undefined,
      countsLabel: f.counts
        ? words.counts(counts ?? { done: 0, scheduled: 0, waiting: 0, failed: 0 })
        : undefined,
      sim: f.sim ? (sim ?? { yes: 0, no: 0, done: 0 }) : undefined,
      simLabel: f.sim ? words.sim(sim ?? { yes: 0, no: 0, done: 0 }, isBranching(e.kind)) : undefined,
      readOnly: f.readOnly,
      addLabels: words.add(name),
      onAdd: f.onAdd,
    };
    out.push({
      id: e.id,
      type: "event",
      position: { x: e.x, y: e.y },
      data,
      selected: e.id === f.selected,
      draggable: !f.readOnly,
      connectable: !f.readOnly,
      ariaLabel: `${words.nodeLabel(words.kind(e.kind), name)}${problems.length ? ` — ${problems.join("; ")}` : ""}`,
    });
  }
  return out;
}

const green = "var(--mantine-color-green-7)";
const red = "var(--mantine-color-red-7)";

/** edgeId names the edge into child from parent (a source id for root events). */
export function edgeId(from: string, to: string): string {
  return `${from}->${to}`;
}

export function buildEdges(g: Graph, selectedEdge: string | null, yes: string, no: string): Edge[] {
  const out: Edge[] = [];
  const ids = new Set(events(g).map((e) => e.id));
  for (const e of events(g)) {
    if (e.parent === null) {
      for (const s of sources(g)) {
        const id = edgeId(s.id, e.id);
        out.push({
          id,
          source: s.id,
          sourceHandle: "out",
          target: e.id,
          selected: id === selectedEdge,
          data: { child: e.id },
        });
      }
    } else if (ids.has(e.parent)) {
      const id = edgeId(e.parent, e.id);
      const color = e.path === "yes" ? green : e.path === "no" ? red : undefined;
      out.push({
        id,
        source: e.parent,
        sourceHandle: e.path === "yes" || e.path === "no" ? e.path : "out",
        target: e.id,
        selected: id === selectedEdge,
        label: e.path === "yes" ? yes : e.path === "no" ? no : undefined,
        style: color ? { stroke: color, strokeWidth: 2 } : { strokeWidth: 2 },
        labelStyle: color ? { fill: color, fontWeight: 700 } : undefined,
        data: { child: e.id },
      });
    }
  }
  return out;
}
