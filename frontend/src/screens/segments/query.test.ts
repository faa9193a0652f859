import { describe, expect, it } from "vitest";
import { type FieldInfo, filterCount, fromFilters, type QGroup, type QRule, toFilters } from "./query";

const info: FieldInfo = new Map([
  ["city", { object: "lead", type: "text" }],
  ["tags", { object: "lead", type: "tags" }],
  ["points", { object: "lead", type: "number" }],
  ["hit_url", { object: "behaviors", type: "text" }],
  ["companyname", { object: "company", type: "text" }],
]);

const leaf = (glue: string, field: string, operator: string, filter: unknown) => ({
  glue,
  object: "lead",
  field,
  type: "text",
  operator,
  properties: { filter },
});

const roundTrip = (json: string) => {
  const q = fromFilters(json);
  expect(q).not.toBeNull();
  return JSON.parse(toFilters(q as QGroup, info));
};

describe("round trip without edits", () => {
  it.each([
    ["empty (static segment)", []],
    ["one filter", [leaf("and", "city", "=", "Paris")]],
    [
      "Mautic DNF with OR and list values",
      [
        leaf("and", "city", "in", "paris|lyon"),
        leaf("and", "points", "gt", "50"),
        leaf("or", "tags", "in", ["vip"]),
        leaf("and", "hit_url", "empty", null),
      ],
    ],
    [
      "Mautic export extras (display, custom keys, legacy filter, odd first glue)",
      [
        { glue: "or", field: "city", operator: "=", filter: "Paris", display: "City", extra: { a: 1 } },
        { glue: "and", field: "points", operator: "gte", properties: { filter: 3, display: "x" } },
      ],
    ],
    [
      "nested: OR of ANDs",
      {
        op: "or",
        children: [
          { op: "and", children: [leaf("and", "city", "=", "Paris"), leaf("and", "points", "gt", "5")] },
          leaf("and", "tags", "in", ["vip"]),
        ],
      },
    ],
    [
      "nested: NOT around a group, groups three deep",
      {
        op: "and",
        children: [
          leaf("and", "city", "!empty", null),
          {
            op: "not",
            children: [
              {
                op: "or",
                children: [
                  leaf("and", "tags", "in", ["spam"]),
                  {
                    op: "and",
                    children: [leaf("and", "points", "lt", 0), leaf("and", "companyname", "=", "Acme")],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  ])("%s", (_name, input) => {
    expect(roundTrip(JSON.stringify(input))).toEqual(input);
  });
});

describe("editing", () => {
  it("a flat list with a new OR filter stays Mautic's flat list with glue", () => {
    const q = fromFilters(JSON.stringify([leaf("and", "city", "=", "Paris")])) as QGroup;
    q.rules.push("or", { field: "tags", operator: "in", value: ["vip"] });
    expect(JSON.parse(toFilters(q, info))).toEqual([
      leaf("and", "city", "=", "Paris"),
      {
        glue: "or",
        object: "lead",
        field: "tags",
        type: "tags",
        operator: "in",
        properties: { filter: ["vip"] },
      },
    ]);
  });
  it("a sub-group makes the nested form; AND binds tighter than OR", () => {
    const r = (field: string, value: unknown): QRule => ({ field, operator: "=", value });
    const q: QGroup = {
      rules: [
        r("city", "Paris"),
        "and",
        r("points", "1"),
        "or",
        { rules: [r("city", "Lyon"), "or", r("city", "Nice")] },
      ],
    };
    const out = JSON.parse(toFilters(q, info));
    expect(out.op).toBe("or");
    expect(out.children).toHaveLength(2);
    expect(out.children[0].op).toBe("and");
    expect(out.children[0].children.map((c: { field: string }) => c.field)).toEqual(["city", "points"]);
    expect(out.children[1]).toMatchObject({ op: "or", children: [{ field: "city" }, { field: "city" }] });
    expect(out.children[1].children[0]).not.toHaveProperty("glue");
    expect(filterCount(q)).toBe(4);
  });
  it("a changed field takes the catalogue's object and type; no-value operators store null", () => {
    const q = fromFilters(JSON.stringify([leaf("and", "city", "=", "Paris")])) as QGroup;
    const r = q.rules[0] as QRule;
    r.field = "hit_url";
    r.operator = "empty";
    expect(JSON.parse(toFilters(q, info))[0]).toMatchObject({
      object: "behaviors",
      field: "hit_url",
      operator: "empty",
      properties: { filter: null },
    });
  });
  it("NOT on the top group is the nested form", () => {
    const q: QGroup = { not: true, rules: [{ field: "city", operator: "=", value: "Paris" }] };
    expect(JSON.parse(toFilters(q, info))).toMatchObject({ op: "not", children: [{ op: "and" }] });
  });
  it("rejects what is not a filter definition", () => {
    expect(fromFilters("[")).toBeNull();
    expect(fromFilters('{"op":"xor","children":[]}')).toBeNull();
    expect(fromFilters("42")).toBeNull();
  });
});
