import { describe, expect, it } from "vitest";
import { blankTrigger, type CampaignEvent, type EventSpec, type Graph } from "../../api/campaigns";
import {
  addEvent,
  anchorFor,
  autoLayout,
  clientProblems,
  commit,
  connect,
  copyBranch,
  DETACHED,
  detach,
  events,
  history,
  layoutInput,
  mergeProblems,
  NODE_H,
  needsLayout,
  pasteBranch,
  redo,
  removeNodes,
  undo,
} from "./graph";

const spec = (type: string, kind: string): EventSpec => ({
  type,
  kind,
  group: "",
  comingSoon: false,
  props: [],
});
const ev = (
  id: string,
  kind: string,
  type: string,
  parent: string | null,
  path = "",
  props = {},
): CampaignEvent => ({
  id,
  name: id,
  kind,
  type,
  parent,
  path,
  trigger: blankTrigger(),
  props,
  x: 0,
  y: 0,
});

// src → send → open? (yes: tag, no: points)
function sample(): Graph {
  return {
    sources: [{ id: "src", type: "segment", ids: ["seg1"], x: 0, y: 0 }],
    events: [
      ev("send", "action", "email.send", null),
      ev("open", "decision", "email.open", "send"),
      ev("tag", "action", "contact.tags", "open", "yes"),
      ev("pts", "action", "points.adjust", "open", "no"),
    ],
  };
}

describe("layoutInput", () => {
  it("links sources to root events and parents to children, yes before no", () => {
    const g = sample();
    g.events?.push(ev("lost", "action", "contact.tags", DETACHED));
    expect(layoutInput(g)).toEqual({
      nodes: ["src", "tag", "send", "open", "lost", "pts"],
      edges: [
        ["open", "tag"],
        ["src", "send"],
        ["send", "open"],
        ["open", "pts"],
      ],
      order: [{ left: "tag", right: "pts" }],
    });
  });
  it("autoLayout puts children below parents and yes left of no", () => {
    const g = autoLayout(sample());
    const at = (id: string) => g.events?.find((e) => e.id === id) as CampaignEvent;
    const src = g.sources?.[0];
    expect(at("send").y).toBeGreaterThanOrEqual((src?.y ?? 0) + NODE_H);
    expect(at("open").y).toBeGreaterThan(at("send").y);
    expect(at("tag").y).toBeGreaterThan(at("open").y);
    expect(at("tag").x).toBeLessThan(at("pts").x);
  });
});

describe("needsLayout", () => {
  it("lays out a graph imported without positions, and only that", () => {
    const piled = sample(); // every node at 0,0
    expect(needsLayout(piled)).toBe(true);
    const laid = autoLayout(piled);
    expect(needsLayout(laid)).toBe(false);
    expect(needsLayout({ sources: [], events: [ev("one", "action", "contact.tags", null)] })).toBe(false);
    // positions missing altogether (a hand-written JSON file) count as 0,0
    const bare = { sources: [], events: events(laid).map(({ x: _x, y: _y, ...e }) => e as CampaignEvent) };
    expect(needsLayout(bare)).toBe(true);
  });
});

describe("editing", () => {
  it("adds on the anchor chosen for the selection", () => {
    const g = sample();
    expect(anchorFor(g, "send")).toEqual({ parent: "send", path: "" });
    expect(anchorFor(g, "open")).toEqual({ parent: "open", path: "yes" });
    expect(anchorFor(g, null)).toEqual({ parent: null, path: "" });
    const onlyYes = removeNodes(g, ["pts"]);
    expect(anchorFor(onlyYes, "open")).toEqual({ parent: "open", path: "no" });
    const { graph, id } = addEvent(g, spec("webhook", "action"), { parent: "open", path: "no" });
    const added = graph.events?.find((e) => e.id === id);
    expect(added).toMatchObject({ parent: "open", path: "no", kind: "action", type: "webhook" });
  });
  it("starts a required choice on its first option", () => {
    const cond: EventSpec = {
      ...spec("field.value", "condition"),
      props: [
        { name: "field", type: "field", required: true, options: [] },
        {
          name: "operator",
          type: "select",
          required: true,
          options: [
            { value: "=", label: "=" },
            { value: "!=", label: "!=" },
          ],
        },
        { name: "value", type: "fieldvalue", required: false, options: [] },
      ],
    };
    const { graph, id } = addEvent(sample(), cond, { parent: null, path: "" });
    expect(graph.events?.find((e) => e.id === id)?.props).toEqual({ operator: "=" });
  });
  it("removing an event removes its branch", () => {
    const g = removeNodes(sample(), ["open"]);
    expect(g.events?.map((e) => e.id)).toEqual(["send"]);
  });
  it("connect refuses loops and sets a path under decisions", () => {
    const g = sample();
    expect(connect(g, "send", "tag", "")).toBe(g);
    expect(connect(g, "open", "open", "")).toBe(g);
    const moved = connect(detach(g, "pts"), "pts", "open", "");
    expect(moved.events?.find((e) => e.id === "pts")).toMatchObject({ parent: "open", path: "yes" });
    const toAction = connect(g, "tag", "send", "yes");
    expect(toAction.events?.find((e) => e.id === "tag")).toMatchObject({ parent: "send", path: "" });
  });
});

describe("copy/paste", () => {
  it("remaps ids, parents and jump targets inside the branch", () => {
    const g = sample();
    g.events?.push(ev("jmp", "action", "jump", "tag", "", { event: "open" }));
    g.events?.push(ev("out", "action", "jump", "pts", "", { event: "send" }));
    const clip = copyBranch(g, "open");
    expect(clip.map((e) => e.id)).toEqual(["open", "tag", "pts", "jmp", "out"]);
    const { graph, id } = pasteBranch(g, clip, { parent: "tag", path: "" });
    const pasted = (graph.events ?? []).slice(g.events?.length);
    expect(pasted).toHaveLength(5);
    const ids = new Set(pasted.map((e) => e.id));
    for (const e of pasted) expect(["open", "tag", "pts", "jmp", "out"]).not.toContain(e.id);
    expect(pasted[0]).toMatchObject({ id, parent: "tag", path: "" });
    for (const e of pasted.slice(1)) expect(ids.has(e.parent ?? "")).toBe(true);
    const jmp = pasted.find((e) => e.type === "jump" && e.parent !== null && pasted[1]?.id === e.parent);
    expect(jmp?.props?.event).toBe(id); // the jump inside the branch targets the copy
    const out = pasted.find((e) => e.type === "jump" && e !== jmp);
    expect(out?.props?.event).toBe("send"); // a target outside the branch is kept
    // the original is untouched
    expect(g.events?.find((e) => e.id === "jmp")?.props?.event).toBe("open");
  });
  it("pasting under a decision keeps the chosen path", () => {
    const g = sample();
    const { graph, id } = pasteBranch(g, copyBranch(g, "tag"), { parent: "open", path: "no" });
    expect(graph.events?.find((e) => e.id === id)).toMatchObject({ parent: "open", path: "no" });
  });
});

describe("history", () => {
  it("undoes and redoes, and a new edit drops the redo stack", () => {
    const g0 = sample();
    let h = history(g0);
    const g1 = removeNodes(g0, ["pts"]);
    h = commit(h, g1);
    const g2 = removeNodes(g1, ["tag"]);
    h = commit(h, g2);
    h = undo(h);
    expect(h.present).toBe(g1);
    h = undo(h);
    expect(h.present).toBe(g0);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe(g1);
    const g3 = detach(g1, "open");
    h = commit(h, g3);
    expect(h.future).toHaveLength(0);
    expect(redo(h)).toBe(h);
  });
  it("ignores commits that change nothing", () => {
    const h = history(sample());
    expect(commit(h, sample())).toBe(h);
  });
});

describe("clientProblems", () => {
  const now = new Date("2026-06-01T00:00:00Z");
  const keys = (g: Graph) => clientProblems(g, now).map((p) => `${p.eventId}:${p.key.split(".").pop()}`);
  const cases: { name: string; edit: (g: Graph) => Graph; want: string[] }[] = [
    { name: "a valid graph", edit: (g) => g, want: [] },
    { name: "a detached event", edit: (g) => detach(g, "pts"), want: ["pts:unconnected"] },
    {
      name: "a decision without a path",
      edit: (g) => removeNodes(g, ["tag", "pts"]),
      want: ["open:decisionNoPath"],
    },
    {
      name: "a child of a decision without yes/no",
      edit: (g) => ({ ...g, events: g.events?.map((e) => (e.id === "tag" ? { ...e, path: "" } : e)) ?? [] }),
      want: ["tag:pathRequired"],
    },
    {
      name: "a wait in the past",
      edit: (g) => ({
        ...g,
        events:
          g.events?.map((e) =>
            e.id === "tag"
              ? { ...e, trigger: { ...blankTrigger(), mode: "date", date: "2026-01-01T10:00:00Z" } }
              : e,
          ) ?? [],
      }),
      want: ["tag:datePast"],
    },
    {
      name: "a jump back up its own branch",
      edit: (g) => ({
        ...g,
        events: [...(g.events ?? []), ev("j", "action", "jump", "tag", "", { event: "send" })],
      }),
      want: ["j:jumpCycle"],
    },
    {
      name: "a jump to another branch",
      edit: (g) => ({
        ...g,
        events: [...(g.events ?? []), ev("j", "action", "jump", "tag", "", { event: "pts" })],
      }),
      want: [],
    },
  ];
  for (const c of cases) it(c.name, () => expect(keys(c.edit(sample()))).toEqual(c.want));

  it("merges with the backend's list without duplicates", () => {
    const client = clientProblems(detach(sample(), "pts"), now);
    const server = [
      { eventId: "pts", key: "campaigns.problems.unconnected", message: "x" },
      { eventId: "send", key: "campaigns.problems.required", params: { prop: "email" }, message: "y" },
    ];
    expect(mergeProblems(client, server).map((p) => p.eventId)).toEqual(["pts", "send"]);
  });
});
