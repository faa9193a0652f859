import { describe, expect, it } from "vitest";
import type { ContactRow, Field } from "../../api";
import { backendColumns, buildColumns, cellText, pickColumns, setWidth, withWidths } from "./columns";

const f = (alias: string, type = "text", labelFr = ""): Field =>
  ({ alias, label: alias.toUpperCase(), labelFr, type, group: "core", options: [] }) as unknown as Field;

const all = buildColumns(
  [
    f("email", "email"),
    f("city", "text", "Ville"),
    f("vip", "boolean"),
    f("points", "number"),
    f("country", "country"),
  ],
  "fr",
  {
    name: "Nom",
    tags: "Tags",
    dateAdded: "Ajouté",
  },
);

describe("columns", () => {
  it("labels in the language and marks sortable ones", () => {
    const city = all.find((c) => c.id === "city");
    expect(city?.label).toBe("Ville");
    expect(city?.sort).toBe("city");
    expect(all.find((c) => c.id === "vip")?.sort).toBeUndefined();
  });
  it.each([
    [undefined, ["name", "email", "city", "country", "points", "tags"]],
    [
      ["vip", "gone", "email"],
      ["vip", "email"],
    ],
    [["gone"], ["name"]],
  ])("pickColumns(%j)", (chosen, want) => {
    expect(pickColumns(all, chosen).map((c) => c.id)).toEqual(want);
  });
  it("asks the backend only for field columns", () => {
    expect(backendColumns(pickColumns(all, ["name", "email", "tags", "points", "vip"]))).toEqual([
      "firstname",
      "lastname",
      "email",
      "company",
      "vip",
    ]);
  });
  it.each([
    ["name", { name: "", anonymous: true }, "Anonymous"],
    ["tags", { tags: ["a", "b"] }, "a, b"],
    ["vip", { values: { vip: 1 } }, "✓"],
    ["city", { values: {} }, ""],
    ["country", { values: { country: "Germany" } }, "Allemagne"],
    ["city", { values: { city: "Germany" } }, "Germany"],
  ])("cellText %s", (id, row, want) => {
    const col = all.find((c) => c.id === id);
    if (!col) throw new Error(id);
    const r = {
      name: "",
      anonymous: false,
      tags: [],
      values: {},
      points: 0,
      ...row,
    } as unknown as ContactRow;
    const country = (v: string) => (v === "Germany" ? "Allemagne" : v);
    expect(cellText(r, col, (s) => s, String, "Anonymous", country)).toBe(want);
  });
});

describe("column widths", () => {
  it.each<{ widths: Record<string, number> | undefined; want: number }>([
    { widths: undefined, want: 260 },
    { widths: { email: 300 }, want: 300 },
    { widths: { email: 5 }, want: 48 },
    { widths: { email: 99999 }, want: 2000 },
    { widths: { city: 300 }, want: 260 },
  ])("email width with $widths", ({ widths, want }) => {
    const cols = withWidths(pickColumns(all, ["email"]), widths);
    expect(cols[0]?.width).toBe(want);
  });
  it("sets and resets one width", () => {
    const w = setWidth({ city: 200 }, "email", 301.6);
    expect(w).toEqual({ city: 200, email: 302 });
    expect(setWidth(w, "city", null)).toEqual({ email: 302 });
    expect(setWidth(null as unknown as undefined, "x", 10)).toEqual({ x: 48 });
  });
});
