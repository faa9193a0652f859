import { describe, expect, it } from "vitest";
import { blankAction } from "../../api/points";
import { eventDetail } from "../contacts/Timeline";
import { actionSummary } from "./summary";

const t = (k: string, p?: Record<string, string | number>) => (p ? `${k}${JSON.stringify(p)}` : k);

describe("actionSummary", () => {
  it.each([
    [{ url: "*/pricing", firstTime: true }, "url.hit", "*/pricing · points.limit.firstTime"],
    [
      { url: "*/a", pageHits: 3, everyNth: 2 },
      "url.hit",
      '*/a · points.limit.hits{"n":3} · points.limit.everyNth{"n":2}',
    ],
    [
      { returnsAfter: 3600, returnsWithin: 600 },
      "url.hit",
      'points.limit.after{"n":60} · points.limit.within{"n":10}',
    ],
    [{ pageHits: 5 }, "page.visits", 'points.limit.pages{"n":5}'],
    [{ emails: ["a", "b"] }, "email.open", 'points.limit.only{"n":2}'],
    [{}, "form.submit", ""],
  ])("%j %s", (props, type, want) => {
    const a = blankAction();
    a.type = type;
    a.props = { ...a.props, ...props };
    expect(actionSummary(a, t)).toBe(want);
  });
});

describe("eventDetail for points and stages", () => {
  const ev = (type: string, objectName: string, data: Record<string, unknown>) =>
    ({
      id: "1",
      type,
      objectName,
      data,
      at: "",
      url: "",
      title: "",
      objectId: "",
      source: "",
    }) as unknown as Parameters<typeof eventDetail>[0];
  it("shows delta, group, reason and the new score", () => {
    expect(eventDetail(ev("points.changed", "Pricing", { delta: 5, points: 20 }))).toBe("+5 Pricing → 20");
    expect(eventDetail(ev("points.changed", "Docs read", { delta: -2, groupName: "Docs", score: 3 }))).toBe(
      "-2 (Docs) Docs read → 3",
    );
  });
  it("shows the stage move", () => {
    expect(eventDetail(ev("stage.changed", "MQL", { fromName: "Lead" }))).toBe("Lead → MQL");
    expect(eventDetail(ev("stage.changed", "", {}))).toBe("—");
  });
});
