import { describe, expect, it } from "vitest";
import type { ReportSource } from "../../api/reports";
import { blankDef, cellText, splitGroup, switchSource } from "./model";

const src = (id: string, cols: string[], defaults: string[], contactFilters = true): ReportSource =>
  ({
    id,
    label: id,
    coming: false,
    dateColumn: "at",
    contactFilters,
    columns: cols.map((c) => ({ id: c, label: c, type: "text" })),
    defaults,
  }) as ReportSource;

describe("report model", () => {
  it("switching source keeps the columns that exist there", () => {
    const a = src("page.hits", ["at", "url", "contact.email"], ["at", "url"]);
    const b = src("email.events", ["at", "type", "contact.email"], ["at", "type"]);
    const c = src("companies", ["companyname"], ["companyname"], false);
    const d = { ...blankDef(a), columns: ["url", "contact.email"], contactFilters: "[1]", graph: "bar" };
    expect(switchSource(d, b).columns).toEqual(["contact.email"]);
    expect(switchSource(d, b).contactFilters).toBe("[1]");
    expect(switchSource(d, c).columns).toEqual(["companyname"]);
    expect(switchSource(d, c).contactFilters).toBe("");
    expect(switchSource(d, c).graph).toBe("bar");
  });
  it("splits date buckets", () => {
    expect(splitGroup("at:month")).toEqual({ col: "at", bucket: "month" });
    expect(splitGroup("url")).toEqual({ col: "url", bucket: "" });
  });
  it("formats cells by type", () => {
    const n = (x: number) => String(x);
    expect(cellText({ type: "datetime" }, "2026-02-03T09:00:00Z", n)).toBe("2026-02-03 09:00:00");
    expect(cellText({ type: "float" }, 2.345, n)).toBe("2.35");
    expect(cellText({ type: "bool" }, 1, n)).toBe("✓");
    expect(cellText({ type: "text" }, null, n)).toBe("");
  });
});
