import { describe, expect, it } from "vitest";
import { type FieldDef, fromMautic, groups, newRow, toMautic, valueKind } from "./filters";

const defs = new Map<string, FieldDef>([
  [
    "city",
    {
      alias: "city",
      object: "lead",
      group: "contact",
      type: "text",
      operators: ["=", "!=", "in"],
      options: [],
    },
  ],
  [
    "tags",
    { alias: "tags", object: "lead", group: "contact", type: "tags", operators: ["in", "!in"], options: [] },
  ],
  [
    "date_added",
    {
      alias: "date_added",
      object: "lead",
      group: "contact",
      type: "date",
      operators: ["=", "gt"],
      options: [],
    },
  ],
]);

describe("valueKind", () => {
  it.each([
    ["text", "=", "text"],
    ["text", "empty", "none"],
    ["text", "in", "list"],
    ["tags", "in", "list"],
    ["date", "gt", "date"],
    ["date", "startsWith", "text"],
    ["yesno", "=", "yesno"],
    ["boolean", "!=", "yesno"],
    ["number", "gt", "number"],
    ["select", "=", "select"],
  ])("%s %s → %s", (type, op, want) => expect(valueKind(type, op)).toBe(want));
});

describe("Mautic JSON round trip", () => {
  it("keeps glue, operator and values", () => {
    const json =
      '[{"glue":"and","object":"lead","field":"city","operator":"in","properties":{"filter":"paris|lyon"}},' +
      '{"glue":"or","object":"lead","field":"tags","operator":"in","properties":{"filter":["vip"]}},' +
      '{"glue":"and","field":"date_added","operator":"gt","filter":"-7 days"}]';
    const rows = fromMautic(json, defs);
    expect(rows).not.toBeNull();
    expect(rows?.map((r) => r.value)).toEqual([["paris", "lyon"], ["vip"], "-7 days"]);
    expect(groups(rows ?? []).map((g) => g.length)).toEqual([1, 2]);
    const back = JSON.parse(toMautic(rows ?? []));
    expect(back[1]).toMatchObject({
      glue: "or",
      field: "tags",
      operator: "in",
      properties: { filter: ["vip"] },
    });
    expect(back[2].properties.filter).toBe("-7 days");
  });
  it("gives null for nested groups and bad JSON", () => {
    expect(fromMautic('{"op":"and","children":[]}', defs)).toBeNull();
    expect(fromMautic("[", defs)).toBeNull();
  });
  it("new rows start with the first operator and an empty value", () => {
    const r = newRow(defs.get("tags") as FieldDef);
    expect(r.operator).toBe("in");
    expect(r.value).toEqual([]);
    expect(JSON.parse(toMautic([{ ...r, operator: "empty" }]))[0].properties.filter).toBeNull();
  });
});
