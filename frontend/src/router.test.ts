import { describe, expect, it } from "vitest";
import { isActive, parseRoute } from "./router";

describe("parseRoute", () => {
  it.each([
    ["/", [], ""],
    ["/contacts/abc?tab=notes", ["contacts", "abc"], "notes"],
    ["/companies/a%20b", ["companies", "a b"], ""],
  ])("%s", (raw, parts, tab) => {
    const r = parseRoute(raw);
    expect(r.parts).toEqual(parts);
    expect(r.query.get("tab") ?? "").toBe(tab);
  });
});

describe("isActive", () => {
  it.each([
    ["/", "/", true],
    ["/", "/contacts", false],
    ["/contacts", "/contacts/1", true],
    ["/contacts", "/contactsx", false],
  ])("%s on %s", (item, path, want) => {
    expect(isActive(item, path)).toBe(want);
  });
});
