import { describe, expect, it } from "vitest";
import { add, move, presetRange, remove, resize, rows, step, type Tile } from "./layout";

const t = (id: string, w: number): Tile => ({ id, type: "x", w, h: 1 });
// Row 1: a(12); row 2: b(6) c(6); row 3: d(4) e(4) f(4)
const board = [t("a", 12), t("b", 6), t("c", 6), t("d", 4), t("e", 4), t("f", 4)];
const ids = (ts: Tile[]) => ts.map((x) => x.id).join("");

describe("rows", () => {
  it("packs tiles into rows of 12 columns", () => {
    expect(rows(board)).toEqual([[0], [1, 2], [3, 4, 5]]);
    expect(rows([t("a", 8), t("b", 6)])).toEqual([[0], [1]]);
  });
});

describe("move", () => {
  it.each([
    ["c", "left", "acbdef"],
    ["b", "left", "bacdef"],
    ["a", "left", "abcdef"],
    ["f", "right", "abcdef"],
    ["d", "right", "abcedf"],
    ["c", "up", "cabdef"], // c takes a's place, a moves down
    ["e", "up", "aebcdf"], // e (column 4) takes b's place (b covers columns 0-5)
    ["f", "up", "abfcde"], // f (column 8) lands where c covers columns 6-11
    ["b", "down", "acdbef"], // b (column 0) goes where d is
    ["a", "up", "abcdef"], // nothing above the first row
    ["d", "down", "abcdef"], // nothing below the last row
  ] as const)("%s %s → %s", (id, dir, want) => {
    expect(ids(move(board, id, dir))).toBe(want);
  });
});

describe("sizes", () => {
  it("resize snaps width to 25/33/50/66/75/100 % and height to 1..3", () => {
    expect(resize(board, "b", 7, 5).find((x) => x.id === "b")).toMatchObject({ w: 6, h: 3 });
    expect(resize(board, "b", 10.6, 0).find((x) => x.id === "b")).toMatchObject({ w: 12, h: 1 });
  });
  it("step goes one width up or down and stops at the ends", () => {
    expect(step(board, "b", 1).find((x) => x.id === "b")?.w).toBe(8);
    expect(step(board, "b", -1).find((x) => x.id === "b")?.w).toBe(4);
    expect(step(board, "a", 1).find((x) => x.id === "a")?.w).toBe(12);
    expect(step([t("z", 3)], "z", -1)[0]?.w).toBe(3);
  });
});

describe("add/remove", () => {
  it("adds with a fresh id and removes by id", () => {
    const b = add([t("w2", 6)], "recent.activity");
    expect(b.map((x) => x.id)).toEqual(["w2", "w3"]);
    expect(b[1]).toMatchObject({ type: "recent.activity", w: 6, h: 1 });
    expect(ids(remove(board, "c"))).toBe("abdef");
  });
});

describe("presetRange", () => {
  it("covers N days ending today", () => {
    expect(presetRange(30, new Date(2026, 2, 2))).toEqual({ from: "2026-02-01", to: "2026-03-02" });
    expect(presetRange(1, new Date(2026, 0, 1))).toEqual({ from: "2026-01-01", to: "2026-01-01" });
  });
});
