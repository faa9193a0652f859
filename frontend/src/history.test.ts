import { describe, expect, it } from "vitest";
import { commit, history, redo, undo, undoKey } from "./history";

describe("history", () => {
  it("undoes and redoes steps; a new step drops the redo list", () => {
    let h = history({ n: 0 });
    h = commit(h, { n: 1 });
    h = commit(h, { n: 2 });
    h = undo(h);
    expect(h.present).toEqual({ n: 1 });
    h = redo(h);
    expect(h.present).toEqual({ n: 2 });
    h = commit(undo(h), { n: 3 });
    expect(h.future).toEqual([]);
    expect(undo(h).present).toEqual({ n: 1 });
  });
  it("an equal value is no step; merge folds typing into the current step", () => {
    let h = commit(history("a"), "a");
    expect(h.past).toEqual([]);
    h = commit(h, "ab");
    h = commit(h, "abc", true);
    expect(h.past).toEqual(["a"]);
    expect(undo(h).present).toBe("a");
    // The first change is always a step, merge or not: the start stays reachable.
    expect(commit(history("x"), "xy", true).past).toEqual(["x"]);
  });
  it("reads the keys", () => {
    const k = (key: string, mod: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }>) =>
      undoKey({ key, ctrlKey: false, metaKey: false, shiftKey: false, ...mod });
    expect(k("z", { ctrlKey: true })).toBe("undo");
    expect(k("Z", { ctrlKey: true, shiftKey: true })).toBe("redo");
    expect(k("y", { metaKey: true })).toBe("redo");
    expect(k("z", {})).toBeNull();
  });
});
