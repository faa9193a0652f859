import { describe, expect, it } from "vitest";
import { rootsFor } from "./hooks";

describe("rootsFor", () => {
  it.each([
    ["contacts:changed", ["contacts", "contact", "system", "companies", "company"]],
    ["fields:changed", ["fields"]],
    ["notes:changed", ["contact"]],
    ["job:progress", []],
    ["unknown:changed", []],
  ])("%s", (topic, want) => expect(rootsFor(topic)).toEqual(want));
});
