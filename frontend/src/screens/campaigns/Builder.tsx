// The campaign builder (#/campaigns/<id>): the canvas (React Flow), the palette, the side
// panel, validation on the nodes, autosaved draft with in-memory undo/redo, publish,
// versions, simulation, export and live counts.
import "@xyflow/react/dist/style.css";
import "./campaigns.css";
import { Alert, Button, Group, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import {
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type Edge,
  MiniMap,
  type Node,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  type Campaign,
  Campaigns,
  type CampaignVersion,
  type EventSpec,
  type Graph,
  type Problem,
  type SimResult,
} from "../../api/campaigns";
import { useI18n } from "../../i18n";
import { ErrorBox, Loading } from "../common";
import { AddEventModal, DND_TYPE, Palette } from "./AddEvent";
import { download, tryPublish } from "./actions";
import { useClipboard } from "./clipboard";
import { type Meta, SettingsModal, SimulateModal, VersionsDrawer } from "./Dialogs";
import { EventPanel, SourcePanel } from "./EventPanel";
import { buildEdges, buildNodes } from "./flow";
import {
  addEvent,
  addSource,
  anchorFor,
  autoLayout,
  commit,
  connect,
  DETACHED,
  detach,
  events,
  type Anchor as GraphAnchor,
  history,
  placeNode,
  redo,
  removeNodes,
  sources,
  undo,
  updateEvent,
  updateSource,
} from "./graph";
import { useBuilderKeys } from "./keys";
import { useFlowWords, useLabels } from "./labels";
import { nodeTypes } from "./nodes";
import { CountsLegend, nameOf, normalize, ProblemList, useSourceNames } from "./parts";
import { useProblems } from "./problems";
import { useAutosave } from "./save";
import { Toolbar } from "./Toolbar";

export function CampaignBuilder({ id }: { id: string }) {
  // Read afresh on every visit (gcTime 0): a stale cached draft must never be autosaved back.
  const camp = useQuery({
    queryKey: ["campaignDraft", id],
    queryFn: () => Campaigns.Get(id),
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
  const cat = useQuery({
    queryKey: ["campaignCatalogue"],
    queryFn: () => Campaigns.Catalogue(),
    staleTime: Infinity,
  });
  if (camp.error || cat.error)
    return (
      <ErrorBox
        error={camp.error ?? cat.error}
        onRetry={() => {
          void camp.refetch();
          void cat.refetch();
        }}
      />
    );
  if (!camp.data || !cat.data) return <Loading />;
  return (
    <ReactFlowProvider>
      <BuilderInner campaign={camp.data} catalogue={cat.data} />
    </ReactFlowProvider>
  );
}

function BuilderInner({ campaign, catalogue }: { campaign: Campaign; catalogue: EventSpec[] }) {
  const L = useLabels();
  const t = L.t;
  const { te } = useI18n();
  const rf = useReactFlow();
  const id = campaign.id;
  const [meta, setMeta] = useState<Meta>({
    name: campaign.name,
    description: campaign.description,
    category: campaign.category,
    allowRestart: campaign.allowRestart,
  });
  const [hist, setHist] = useState(() => history(normalize(campaign.graph)));
  const [published, setPublished] = useState(campaign.published);
  const [viewing, setViewing] = useState<{ v: CampaignVersion; graph: Graph } | null>(null);
  const graph = viewing ? viewing.graph : hist.present;
  const readOnly = viewing !== null;
  const [selected, setSelected] = useState<string | null>(null);
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const [adding, setAdding] = useState<GraphAnchor | null>(null);
  const [dialog, setDialog] = useState<"versions" | "simulate" | "settings" | null>(null);
  const [sim, setSim] = useState<SimResult | null>(null);
  const [refused, setRefused] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const specs = useMemo(() => new Map(catalogue.map((s) => [s.type, s])), [catalogue]);

  const apply = useCallback((f: (g: Graph) => Graph) => setHist((h) => commit(h, f(h.present))), []);

  // ---- autosave (the undo history stays in memory) ----
  const { save, saveError, saveNow, markSaved } = useAutosave(id, meta, hist.present);

  // ---- validation: instant client checks + the backend's Validate (debounced) ----
  const { problems, byNode, setServer } = useProblems(graph, L.problemText);

  // ---- live counts on a published campaign ----
  // Pushed, not polled: every commit that changes a campaign's counts announces
  // "campaign_counts:changed" on the bus, and useBusInvalidation refetches this query
  // (batched per 250 ms); Stats reads the few rows of campaign_counts.
  const stats = useQuery({
    queryKey: ["campaignStats", id],
    queryFn: () => Campaigns.Stats(id),
    enabled: published && !readOnly,
  });

  // ---- names for the source nodes ----
  const segName = useSourceNames();

  const words = useFlowWords(segName);
  const onAdd = useCallback((a: GraphAnchor) => setAdding(a), []);
  const flowNodes = useMemo(
    () =>
      buildNodes({
        graph,
        selected,
        selectedEdge,
        readOnly,
        problems: byNode,
        counts: published && !readOnly ? (stats.data ?? {}) : null,
        sim: sim?.perEvent ?? null,
        onAdd,
        words,
      }),
    [graph, selected, selectedEdge, readOnly, byNode, published, stats.data, sim, onAdd, words],
  );
  // React Flow measures nodes; keep what it measured across rebuilds.
  const [nodes, setNodes] = useState<Node[]>([]);
  useEffect(() => {
    setNodes((prev) => {
      const old = new Map(prev.map((n) => [n.id, n]));
      return flowNodes.map((n) => {
        const p = old.get(n.id);
        if (p?.dragging) return { ...n, position: p.position, dragging: true, measured: p.measured }; // mid-drag
        return p?.measured ? { ...n, measured: p.measured } : n;
      });
    });
  }, [flowNodes]);
  const edges = useMemo(
    () => buildEdges(graph, selectedEdge, t("campaigns.yes"), t("campaigns.no")),
    [graph, selectedEdge, t],
  );
  const onNodesChange = useCallback((changes: NodeChange[]) => {
    const keep = changes.filter((c) => c.type === "dimensions" || c.type === "position");
    if (keep.length) setNodes((ns) => applyNodeChanges(keep, ns));
  }, []);

  const select = useCallback(
    (nid: string | null, focus = false) => {
      setSelected(nid);
      setSelectedEdge(null);
      if (nid && focus) {
        // After the render that adds the node: bring it into view and give it the focus.
        setTimeout(() => {
          const n = rf.getNode(nid);
          if (n)
            void rf.setCenter(n.position.x + 120, n.position.y + 50, { zoom: rf.getZoom(), duration: 150 });
          wrapper.current
            ?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(nid)}"]`)
            ?.focus({ preventScroll: true });
        }, 30);
      }
    },
    [rf],
  );

  const addSpec = useCallback(
    (spec: EventSpec, a: GraphAnchor, at?: { x: number; y: number }) => {
      let newId = "";
      apply((g) => {
        const r = addEvent(g, spec, a);
        newId = r.id;
        return at ? placeNode(r.graph, r.id, at.x, at.y) : r.graph;
      });
      requestAnimationFrame(() => newId && select(newId, true));
    },
    [apply, select],
  );

  const layout = useCallback(() => {
    apply(autoLayout);
    setTimeout(() => void rf.fitView({ duration: 200, padding: 0.15 }), 50);
  }, [apply, rf]);

  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.target || !c.source) return;
      const fromSource = sources(hist.present).some((s) => s.id === c.source);
      const path = c.sourceHandle === "yes" || c.sourceHandle === "no" ? c.sourceHandle : "";
      apply((g) => connect(g, c.target, fromSource ? null : c.source, path));
    },
    [apply, hist.present],
  );

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      const type = e.dataTransfer.getData(DND_TYPE);
      const spec = specs.get(type);
      if (!spec || readOnly) return;
      e.preventDefault();
      const hit = document.elementFromPoint(e.clientX, e.clientY)?.closest<HTMLElement>(".react-flow__node");
      const pos = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      if (hit?.dataset.id) addSpec(spec, anchorFor(hist.present, hit.dataset.id));
      else addSpec(spec, { parent: DETACHED, path: "" }, { x: pos.x - 120, y: pos.y - 30 });
    },
    [specs, readOnly, rf, addSpec, hist.present],
  );

  const removeSelected = useCallback(
    (id?: string) => {
      if (readOnly) return;
      // The focus stays in the canvas while the node or edge goes away (the parent gets it a
      // moment later): a Ctrl+Z pressed right after Delete still reaches the builder's keys.
      wrapper.current?.focus({ preventScroll: true });
      if (selectedEdge) {
        const child = edges.find((x) => x.id === selectedEdge)?.data?.child;
        if (typeof child === "string") apply((g) => detach(g, child));
        setSelectedEdge(null);
        return;
      }
      const node = id ?? selected;
      if (!node) return;
      const parent = events(hist.present).find((x) => x.id === node)?.parent;
      apply((g) => removeNodes(g, [node]));
      select(parent && parent !== DETACHED ? parent : null, Boolean(parent));
    },
    [readOnly, selectedEdge, selected, edges, apply, hist.present, select],
  );
  const { copy, paste } = useClipboard({ graph: hist.present, selected, readOnly, apply, select });

  const keys = useBuilderKeys({
    wrapper,
    graph,
    selected,
    readOnly,
    select,
    selectEdge: (eid) => {
      setSelectedEdge(eid);
      setSelected(null);
    },
    openPanel: () =>
      document.querySelector<HTMLElement>("[data-testid=builder-panel] [data-panel-first]")?.focus(),
    addAfter: () => !readOnly && setAdding(anchorFor(hist.present, selected)),
    remove: removeSelected,
    undo: () => !readOnly && setHist(undo),
    redo: () => !readOnly && setHist(redo),
    copy,
    paste,
    layout: () => !readOnly && layout(),
    escape: () => select(null),
  });

  // ---- publish ----
  const publish = async () => {
    const r = await tryPublish(id, hist.present, saveNow);
    if (r.ok) {
      setPublished(true);
      setRefused(false);
      notifications.show({ color: "teal", message: t("campaigns.publishedOk", { n: r.version }) });
    } else if (r.problems) {
      setServer(r.problems);
      setRefused(true);
    } else notifications.show({ color: "red", message: te(r.error) });
  };
  // run does one of the header's actions and tells the user how it went.
  const run = async (action: () => Promise<string>) => {
    try {
      notifications.show({ message: await action() });
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  const unpublish = () =>
    run(async () => {
      await Campaigns.Unpublish(id);
      setPublished(false);
      return t("campaigns.unpublishedOk");
    });
  const restoreVersion = (v: CampaignVersion) =>
    run(async () => {
      const c = await Campaigns.RestoreVersion(id, v.version);
      setViewing(null);
      setHist((h) => commit(h, normalize(c.graph)));
      markSaved(normalize(c.graph));
      setDialog(null);
      return t("campaigns.restoredVersion", { n: v.version });
    });
  const exportJson = () =>
    run(async () => {
      download(`${meta.name || "campaign"}.json`, await Campaigns.Export(id));
      return t("campaigns.exported");
    });

  const selEvent = events(graph).find((x) => x.id === selected);
  const selSource = sources(graph).find((x) => x.id === selected);
  const focusProblem = (p: Problem) => {
    const nid = p.eventId || p.sourceId;
    if (nid) select(nid, true);
  };

  return (
    <div className="camp-builder" data-testid="campaign-builder">
      <Toolbar
        name={meta.name}
        published={published}
        readOnly={readOnly}
        save={save}
        saveError={saveError}
        canUndo={hist.past.length > 0}
        canRedo={hist.future.length > 0}
        canCopy={Boolean(selEvent)}
        onUndo={() => setHist(undo)}
        onRedo={() => setHist(redo)}
        onLayout={layout}
        onCopy={copy}
        onAddSource={(ty) => {
          let nid = "";
          apply((g) => {
            const r = addSource(g, ty);
            nid = r.id;
            return r.graph;
          });
          requestAnimationFrame(() => select(nid, true));
        }}
        onDialog={setDialog}
        onExport={() => void exportJson()}
        onPublish={() => void publish()}
        onUnpublish={() => void unpublish()}
      />
      {viewing && (
        <Alert color="blue" mb="xs" py={6}>
          <Group justify="space-between">
            <Text size="sm">{t("campaigns.readOnly", { n: viewing.v.version })}</Text>
            <Group gap="xs">
              <Button size="xs" variant="light" onClick={() => void restoreVersion(viewing.v)}>
                {t("campaigns.restoreVersion")}
              </Button>
              <Button size="xs" variant="default" onClick={() => setViewing(null)}>
                {t("campaigns.backToDraft")}
              </Button>
            </Group>
          </Group>
        </Alert>
      )}
      {refused && problems.length > 0 && (
        <Alert
          color="red"
          mb="xs"
          py={6}
          title={t("campaigns.publishRefused")}
          withCloseButton
          onClose={() => setRefused(false)}
          data-testid="publish-refused"
        >
          <ProblemList problems={problems} onPick={focusProblem} />
        </Alert>
      )}
      <div className="camp-body">
        <Palette
          catalogue={catalogue}
          disabled={readOnly}
          onAdd={(s) => addSpec(s, anchorFor(hist.present, selected))}
        />
        <section
          className="camp-canvas"
          ref={wrapper}
          tabIndex={-1}
          aria-label={t("campaigns.canvas")}
          aria-describedby="camp-shortcuts"
          onKeyDownCapture={keys.onKeyDownCapture}
          onFocusCapture={keys.onFocusCapture}
          onDragOver={(e) => {
            if (e.dataTransfer.types.includes(DND_TYPE)) {
              e.preventDefault();
              e.dataTransfer.dropEffect = "copy";
            }
          }}
          onDrop={onDrop}
        >
          <ReactFlow
            nodes={nodes}
            edges={edges as Edge[]}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onNodeClick={(_, n) => select(n.id)}
            onEdgeClick={(_, e) => {
              setSelectedEdge(e.id);
              setSelected(null);
            }}
            onPaneClick={() => select(null)}
            onNodeDragStop={(_, __, moved) =>
              apply((g) =>
                moved.reduce(
                  (acc, n) => placeNode(acc, n.id, Math.round(n.position.x), Math.round(n.position.y)),
                  g,
                ),
              )
            }
            onConnect={onConnect}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            deleteKeyCode={null}
            selectionKeyCode={null}
            multiSelectionKeyCode={null}
            fitView
            fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
            minZoom={0.1}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} fitViewOptions={{ padding: 0.2 }} />
            <MiniMap
              pannable
              zoomable
              position="top-right"
              ariaLabel={t("campaigns.canvas")}
              style={{ width: 120, height: 80 }}
            />
          </ReactFlow>
        </section>
        <aside
          className="camp-panel"
          data-testid="builder-panel"
          aria-label={selSource ? t("campaigns.panelSource") : t("campaigns.panel")}
        >
          {selEvent ? (
            <EventPanel
              key={selEvent.id}
              campaignId={id}
              ev={selEvent}
              spec={specs.get(selEvent.type)}
              graph={graph}
              readOnly={readOnly}
              problems={byNode.get(selEvent.id) ?? []}
              onChange={(patch) => apply((g) => updateEvent(g, selEvent.id, patch))}
              onConnect={(p, path) => apply((g) => connect(g, selEvent.id, p, path))}
              onRemove={removeSelected}
            />
          ) : selSource ? (
            <SourcePanel
              key={selSource.id}
              src={selSource}
              readOnly={readOnly}
              problems={byNode.get(selSource.id) ?? []}
              onChange={(patch) => apply((g) => updateSource(g, selSource.id, patch))}
              onRemove={removeSelected}
            />
          ) : (
            <Stack gap="xs">
              <Text size="sm" c="dimmed">
                {t("campaigns.selectHint")}
              </Text>
              <Text fw={600} size="sm">
                {problems.length === 0
                  ? t("campaigns.noProblems")
                  : t("campaigns.problemsN", { n: problems.length })}
              </Text>
              <ProblemList problems={problems} onPick={focusProblem} />
              {published && !readOnly && <CountsLegend />}
            </Stack>
          )}
        </aside>
      </div>
      <Text id="camp-shortcuts" size="xs" c="dimmed" mt={4}>
        {t("campaigns.shortcuts")}
      </Text>
      <AddEventModal
        opened={adding !== null}
        title={
          adding?.parent
            ? adding.path === "yes"
              ? t("campaigns.addYes", { name: nameOf(graph, adding.parent, L.typeLabel) })
              : adding.path === "no"
                ? t("campaigns.addNo", { name: nameOf(graph, adding.parent, L.typeLabel) })
                : t("campaigns.addAfter", { name: nameOf(graph, adding.parent, L.typeLabel) })
            : t("campaigns.addRoot")
        }
        catalogue={catalogue}
        onPick={(s) => adding && addSpec(s, adding)}
        onClose={() => setAdding(null)}
      />
      <VersionsDrawer
        id={id}
        opened={dialog === "versions"}
        onClose={() => setDialog(null)}
        onView={(v) => {
          Campaigns.VersionGraph(id, v.version).then(
            (g) => {
              setViewing({ v, graph: normalize(g) });
              setSelected(null);
              setDialog(null);
              setTimeout(() => void rf.fitView({ padding: 0.2 }), 50);
            },
            (e) => notifications.show({ color: "red", message: te(e) }),
          );
        }}
        onRestore={(v) => void restoreVersion(v)}
      />
      <SimulateModal
        id={id}
        graph={graph}
        opened={dialog === "simulate"}
        onClose={() => setDialog(null)}
        onResult={setSim}
      />
      <SettingsModal
        meta={meta}
        readOnly={readOnly}
        opened={dialog === "settings"}
        onClose={() => setDialog(null)}
        onChange={setMeta}
      />
    </div>
  );
}
