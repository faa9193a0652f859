import { describe, expect, it } from "vitest";
import { emptyValue, valueKind } from "./filters";

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
    ["select", "in", "list"],
    ["lookup_id", "=", "select"],
    ["lookup_id", "empty", "none"],
  ])("%s %s → %s", (type, op, want) => expect(valueKind(type, op)).toBe(want));
});

describe("emptyValue", () => {
  it.each([
    ["text", "=", ""],
    ["tags", "in", []],
    ["yesno", "=", "1"],
    ["text", "empty", ""],
  ])("%s %s → %j", (type, op, want) => expect(emptyValue(type, op)).toEqual(want));
});
