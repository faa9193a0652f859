import { describe, expect, it } from "vitest";
import { aliasFrom, moveItem } from "./forms";

describe("forms helpers", () => {
  it.each([
    ["First name", [], "first_name"],
    ["Été 2026 ?", [], "ete_2026"],
    ["2nd choice", [], "f_2nd_choice"],
    ["Email", ["email"], "email_2"],
    ["Email", ["email", "email_2"], "email_3"],
  ])("aliasFrom(%s)", (label, taken, want) => {
    expect(aliasFrom(label, taken)).toBe(want);
  });
  it("moveItem", () => {
    expect(moveItem([1, 2, 3], 0, 2)).toEqual([2, 3, 1]);
    expect(moveItem([1, 2, 3], 2, 0)).toEqual([3, 1, 2]);
    expect(moveItem([1, 2, 3], 1, 5)).toEqual([1, 2, 3]);
  });
});
