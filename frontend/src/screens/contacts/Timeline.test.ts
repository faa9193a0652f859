import { describe, expect, it } from "vitest";
import type { EventView } from "../../api";
import { eventDetail } from "./Timeline";

function ev(type: string, objectName: string, data: Record<string, unknown>): EventView {
  return {
    id: "x",
    seq: 0,
    type,
    at: "",
    objectId: "",
    objectName,
    url: "",
    title: "",
    referrer: "",
    source: "",
    data,
  };
}

describe("eventDetail", () => {
  it.each([
    // A campaign's tag step is the timeline entry of its tag changes (no tag.added rows).
    [
      ev("campaign.event", "Welcome › Tag", {
        type: "contact.tags",
        tagsAdded: ["new"],
        tagsRemoved: ["vip"],
      }),
      "Welcome › Tag (+new, −vip)",
    ],
    [
      ev("campaign.event", "Welcome › Tag", {
        type: "contact.tags",
        tagsAdded: ["a", "b"],
        tagsRemoved: null,
      }),
      "Welcome › Tag (+a, +b)",
    ],
    [ev("campaign.event", "Welcome › Send", { type: "email.send" }), "Welcome › Send"],
    [ev("tag.added", "vip", {}), "vip"],
  ])("%#", (e, want) => {
    expect(eventDetail(e)).toBe(want);
  });
});
