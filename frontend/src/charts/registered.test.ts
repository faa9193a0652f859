import { describe, expect, it } from "vitest";
import { componentModules, seriesModules } from "./EChart";
import registered from "./registered.json";

describe("registered.json", () => {
  it("names only modules EChart.tsx can install, and all of them", () => {
    expect([...registered.series].sort()).toEqual(Object.keys(seriesModules).sort());
    expect([...registered.components].sort()).toEqual(Object.keys(componentModules).sort());
  });
});
