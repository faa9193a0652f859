import { describe, expect, it } from "vitest";
import { blankTrigger, type CampaignEvent, type Graph } from "../../api/campaigns";
import { buildEdges } from "./flow";
import { DETACHED } from "./graph";
import { neighbour, useBuilderKeys } from "./keys";

const ev = (id: string, kind: string, parent: string | null, path = "", x = 0): CampaignEvent => ({
  id,
  name: id,
  kind,
  type: "t",
  parent,
  path,
  trigger: blankTrigger(),
  props: {},
  x,
  y: 0,
});

// s1, s2 → send → open (yes: tag at x=0, no: pts at x=300)
const g: Graph = {
  sources: [
    { id: "s2", type: "form", ids: ["f"], x: 300, y: -100 },
    { id: "s1", type: "segment", ids: ["a"], x: 0, y: -100 },
  ],
  events: [
    ev("send", "action", null),
    ev("open", "decision", "send"),
    ev("pts", "action", "open", "no", 300),
    ev("tag", "action", "open", "yes", 0),
  ],
};

describe("arrow keys walk the tree", () => {
  const cases: [string | null, string, string | null][] = [
    [null, "ArrowDown", "s1"],
    ["s1", "ArrowRight", "s2"],
    ["s2", "ArrowLeft", "s1"],
    ["s1", "ArrowDown", "send"],
    ["send", "ArrowUp", "s1"],
    ["send", "ArrowDown", "open"],
    ["open", "ArrowDown", "tag"],
    ["tag", "ArrowRight", "pts"],
    ["pts", "ArrowRight", null],
    ["pts", "ArrowUp", "open"],
    ["tag", "ArrowDown", null],
  ];
  for (const [from, key, want] of cases)
    it(`${from} ${key} → ${want}`, () => expect(neighbour(g, from, key)).toBe(want));
});

describe("edges", () => {
  it("link every source to root events and colour yes/no", () => {
    const withLost = { ...g, events: [...(g.events ?? []), ev("lost", "action", DETACHED)] };
    const es = buildEdges(withLost, "open->tag", "yes", "no");
    expect(es.map((e) => `${e.source}:${e.sourceHandle}->${e.target}`)).toEqual([
      "s2:out->send",
      "s1:out->send",
      "send:out->open",
      "open:no->pts",
      "open:yes->tag",
    ]);
    expect(es.find((e) => e.id === "open->tag")?.selected).toBe(true);
    expect(es.find((e) => e.target === "tag")?.label).toBe("yes");
  });
});

describe("shortcuts", () => {
  const calls: string[] = [];
  const keys = useBuilderKeys({
    wrapper: { current: null },
    graph: g,
    selected: "open",
    readOnly: false,
    select: (id) => calls.push(`select:${id}`),
    selectEdge: (id) => calls.push(`edge:${id}`),
    openPanel: () => calls.push("panel"),
    addAfter: () => calls.push("add"),
    remove: () => calls.push("remove"),
    undo: () => calls.push("undo"),
    redo: () => calls.push("redo"),
    copy: () => calls.push("copy"),
    paste: () => calls.push("paste"),
    layout: () => calls.push("layout"),
    escape: () => calls.push("escape"),
  });
  const press = (key: string, mods: { ctrlKey?: boolean; shiftKey?: boolean } = {}, tagName = "DIV") => {
    let stopped = false;
    const target = { tagName, isContentEditable: false, closest: () => null };
    keys.onKeyDownCapture({
      key,
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      shiftKey: false,
      ...mods,
      target,
      preventDefault: () => {},
      stopPropagation: () => {
        stopped = true;
      },
    } as unknown as React.KeyboardEvent);
    return stopped;
  };
  const cases: [string, { ctrlKey?: boolean; shiftKey?: boolean }, string][] = [
    ["z", { ctrlKey: true }, "undo"],
    ["Z", { ctrlKey: true, shiftKey: true }, "redo"],
    ["y", { ctrlKey: true }, "redo"],
    ["c", { ctrlKey: true }, "copy"],
    ["v", { ctrlKey: true }, "paste"],
    ["a", {}, "add"],
    ["l", {}, "layout"],
    ["Delete", {}, "remove"],
    ["Backspace", {}, "remove"],
    ["Escape", {}, "escape"],
    ["ArrowDown", {}, "select:tag"],
  ];
  for (const [key, mods, want] of cases)
    it(`${mods.ctrlKey ? "Ctrl+" : ""}${mods.shiftKey ? "Shift+" : ""}${key} → ${want}`, () => {
      calls.length = 0;
      expect(press(key, mods)).toBe(true);
      expect(calls).toEqual([want]);
    });
  it("leaves keys alone while typing in a field", () => {
    calls.length = 0;
    expect(press("Delete", {}, "INPUT")).toBe(false);
    expect(press("z", { ctrlKey: true }, "TEXTAREA")).toBe(false);
    expect(calls).toEqual([]);
  });
});
