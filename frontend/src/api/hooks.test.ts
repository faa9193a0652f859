import { describe, expect, it } from "vitest";
import { rootsFor } from "./hooks";

describe("rootsFor", () => {
  it.each([
    ["contacts:changed", ["contacts", "contact", "system", "companies", "company", "segments", "segment"]],
    ["fields:changed", ["fields", "segmentCatalogue"]],
    ["notes:changed", ["contact"]],
    ["campaign_counts:changed", ["campaignStats"]],
    ["job:progress", []],
    ["unknown:changed", []],
  ])("%s", (topic, want) => expect(rootsFor(topic)).toEqual(want));
});
