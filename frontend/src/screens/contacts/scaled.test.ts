import { describe, expect, it } from "vitest";
import { realHeight, rowTop, scaleFor } from "./scaled";

describe("scaled scrolling", () => {
  it.each([
    [36 * 1000, 800, 1],
    [36 * 1_000_000, 800, (36_000_000 - 800) / (15_000_000 - 800)],
  ])("scaleFor(%i, %i)", (v, vp, want) => {
    expect(scaleFor(v, vp)).toBeCloseTo(want, 6);
  });
  it("the last row is reachable: real max scroll maps to virtual max scroll", () => {
    const v = 36 * 2_000_000;
    const vp = 800;
    const s = scaleFor(v, vp);
    const realMax = realHeight(v) - vp;
    expect(realMax * s).toBeCloseTo(v - vp, 0);
  });
  it("rows are laid out around the real offset", () => {
    expect(rowTop(36_000, 35_000, 1000)).toBe(2000);
    expect(rowTop(500, 500, 500)).toBe(500);
  });
});
