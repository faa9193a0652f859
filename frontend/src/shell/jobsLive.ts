// The jobs indicator's state: live jobs by id, plus recently finished ones kept a moment.
import type { JobStatus } from "../api";

export type Live = Record<string, { status: JobStatus; endedAt: number | null }>;

/** liveMerge records a job:progress / job:done status (or a polled one). */
export function liveMerge(cur: Live, s: JobStatus, now: number): Live {
  if (!s.id) return cur;
  const prev = cur[s.id];
  // A late progress event must not revive a job we already saw finish.
  if (prev && prev.status.state !== "running" && s.state === "running") return cur;
  const endedAt = s.state === "running" ? null : (prev?.endedAt ?? now);
  return { ...cur, [s.id]: { status: s, endedAt } };
}

/**
 * livePrune drops finished jobs older than keepMs, and running jobs the backend no longer
 * lists (their done event was missed, so how they ended is unknown here).
 */
export function livePrune(cur: Live, runningIds: string[], now: number, keepMs: number): Live {
  const alive = new Set(runningIds);
  const out: Live = {};
  for (const [id, l] of Object.entries(cur)) {
    if (l.status.state === "running" && !alive.has(id)) continue;
    if (l.endedAt !== null && now - l.endedAt > keepMs) continue;
    out[id] = l;
  }
  return out;
}

/** livePercent is the overall progress of running jobs with a known total, or null. */
export function livePercent(running: JobStatus[]): number | null {
  let done = 0;
  let total = 0;
  for (const s of running) {
    if (s.total > 0) {
      done += Math.min(s.done, s.total);
      total += s.total;
    }
  }
  return total > 0 ? (100 * done) / total : null;
}

/** displayTitle drops the upload id browser mode prefixes to file names ("<uuid>-file.csv"). */
export function displayTitle(title: string): string {
  return title.replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-(?=\S)/g, "");
}
