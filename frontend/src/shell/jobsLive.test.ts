import { describe, expect, it } from "vitest";
import type { JobStatus } from "../api";
import { displayTitle, liveMerge, livePercent, livePrune } from "./jobsLive";

const job = (id: string, state: string, done = 0, total = 0): JobStatus =>
  ({
    id,
    kind: "import",
    title: id,
    state,
    done,
    total,
    rate: 0,
    message: "",
    result: "",
    startedAt: "",
    error: "",
  }) as JobStatus;

describe("jobs indicator state", () => {
  it("tracks progress and remembers when a job ended", () => {
    let l = liveMerge({}, job("a", "running", 1, 10), 0);
    l = liveMerge(l, job("a", "running", 5, 10), 10);
    expect(l.a?.status.done).toBe(5);
    expect(l.a?.endedAt).toBeNull();
    l = liveMerge(l, job("a", "done", 10, 10), 20);
    expect(l.a?.endedAt).toBe(20);
    // a late progress event does not bring it back
    l = liveMerge(l, job("a", "running", 9, 10), 30);
    expect(l.a?.status.state).toBe("done");
  });
  it.each([
    { name: "keeps a fresh finished job", ended: 1000, now: 5000, running: [], keep: true },
    { name: "drops an old finished job", ended: 1000, now: 20000, running: [], keep: false },
  ])("$name", ({ ended, now, running, keep }) => {
    const l = liveMerge({}, job("a", "failed"), ended);
    expect("a" in livePrune(l, running, now, 8000)).toBe(keep);
  });
  it("drops running jobs the backend no longer lists", () => {
    const l = liveMerge(liveMerge({}, job("a", "running"), 0), job("b", "running"), 0);
    const p = livePrune(l, ["b"], 1, 8000);
    expect(Object.keys(p)).toEqual(["b"]);
  });
  it.each([
    { jobs: [job("a", "running", 5, 10), job("b", "running", 15, 30)], want: 50 },
    { jobs: [job("a", "running", 5, 0)], want: null },
    { jobs: [], want: null },
  ])("overall percent $want", ({ jobs, want }) => {
    expect(livePercent(jobs)).toBe(want);
  });
});

describe("displayTitle", () => {
  it.each([
    ["Import 01a24851-081d-7bc1-9a64-87e9bdd90aaa-jobs.csv", "Import jobs.csv"],
    ["Export contacts", "Export contacts"],
    ["Send 01a24851-081d-7bc1-9a64-87e9bdd90aaa", "Send 01a24851-081d-7bc1-9a64-87e9bdd90aaa"],
  ])("%s", (title, want) => {
    expect(displayTitle(title)).toBe(want);
  });
});
