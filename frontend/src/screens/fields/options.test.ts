import { describe, expect, it } from "vitest";
import { formatOptions, parseOptions } from "./options";

describe("options", () => {
  it.each([
    [
      "Gold\nSilver|silver\n\n  Bronze | b  ",
      [
        { label: "Gold", value: "Gold" },
        { label: "Silver", value: "silver" },
        { label: "Bronze", value: "b" },
      ],
    ],
    ["|only-value", [{ label: "only-value", value: "only-value" }]],
    ["", []],
  ])("parse %j", (text, want) => expect(parseOptions(text)).toEqual(want));
  it("round-trips", () => {
    const o = [
      { label: "A", value: "A" },
      { label: "Bee", value: "b" },
    ];
    expect(parseOptions(formatOptions(o))).toEqual(o);
  });
});
