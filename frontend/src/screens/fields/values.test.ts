import { describe, expect, it } from "vitest";
import type { Field } from "../../api";
import { changedValues, groupFields, toText } from "./values";

describe("toText", () => {
  it.each([
    ["boolean", 1, "1"],
    ["boolean", 0, "0"],
    ["boolean", null, ""],
    ["datetime", "2024-03-01 09:30:00", "2024-03-01T09:30"],
    ["time", "09:30:00", "09:30"],
    ["number", 12.5, "12.5"],
    ["multiselect", "a|b", "a|b"],
    ["text", undefined, ""],
  ])("%s %j", (type, v, want) => {
    expect(toText({ type }, v)).toBe(want);
  });
});

describe("changedValues", () => {
  it("keeps changed fields and clears with empty text", () => {
    expect(changedValues({ a: "1", b: "x", c: "" }, { a: "1", b: "", c: "new" })).toEqual({
      b: "",
      c: "new",
    });
  });
});

describe("groupFields", () => {
  const f = (alias: string, group: string, position: number) =>
    ({ alias, group, position }) as unknown as Field;
  it("orders groups, then positions", () => {
    const g = groupFields([
      f("x", "professional", 1),
      f("b", "core", 2),
      f("a", "core", 1),
      f("s", "social", 0),
      f("z", "zz", 0),
    ]);
    expect(g.map(([name, fs]) => [name, fs.map((x) => x.alias)])).toEqual([
      ["core", ["a", "b"]],
      ["social", ["s"]],
      ["professional", ["x"]],
      ["zz", ["z"]],
    ]);
  });
});
