import { describe, expect, it } from "vitest";
import { splitUrls } from "./SyncSettings";

describe("splitUrls", () => {
  it.each([
    ["", []],
    ["http://a:4001", ["http://a:4001"]],
    ["http://a:4001, http://b:4001", ["http://a:4001", "http://b:4001"]],
    [" http://a:4001\nhttp://b:4001 ,, ", ["http://a:4001", "http://b:4001"]],
  ])("%j", (input, want) => {
    expect(splitUrls(input)).toEqual(want);
  });
});
