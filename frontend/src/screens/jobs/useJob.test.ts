import { describe, expect, it } from "vitest";
import type { JobStatus } from "../../api";
import { eta, finishing, isFinished, percent } from "./useJob";

const st = (o: Partial<JobStatus>): JobStatus =>
  ({
    id: "j",
    kind: "k",
    title: "",
    state: "running",
    done: 0,
    total: 0,
    rate: 0,
    message: "",
    result: "",
    startedAt: "",
    error: "",
    ...o,
  }) as JobStatus;

describe("job maths", () => {
  it.each([
    [st({ done: 50, total: 200 }), 25],
    [st({ done: 5, total: 0 }), null],
    [st({ done: 300, total: 200 }), 100],
  ])("percent %#", (s, want) => expect(percent(s)).toBe(want));
  it.each([
    [st({ done: 100, total: 1100, rate: 100 }), 10],
    [st({ done: 100, total: 1100, rate: 0 }), null],
    [st({ done: 100, total: 1100, rate: 50, state: "done" }), null],
    [st({ done: 1100, total: 1100, rate: 50 }), null],
  ])("eta %#", (s, want) => expect(eta(s)).toBe(want));
  it.each([
    [st({ done: 1100, total: 1100 }), true],
    [st({ done: 1099, total: 1100 }), false],
    [st({ done: 5, total: 0 }), false],
    [st({ done: 1100, total: 1100, state: "done" }), false],
  ])("finishing %#", (s, want) => expect(finishing(s)).toBe(want));
  it("finished", () => {
    expect(isFinished(null)).toBe(false);
    expect(isFinished(st({}))).toBe(false);
    expect(isFinished(st({ state: "canceled" }))).toBe(true);
  });
});
