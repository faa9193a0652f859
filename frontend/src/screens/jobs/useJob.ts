// Follows a background job: job:progress / job:done events from the bus, plus a slow poll
// (a missed event, or a job that finished before we subscribed, still ends the wait).
import { useEffect, useState } from "react";
import { type JobStatus, Jobs, on } from "../../api";

export function isFinished(s: JobStatus | null): boolean {
  return s !== null && s.state !== "running";
}

/** percent of a job, or null when its total is unknown. */
export function percent(s: JobStatus | null): number | null {
  if (!s || s.total <= 0) return null;
  return Math.min(100, (100 * s.done) / s.total);
}

/** eta in seconds from the rate, or null (also once every unit is done: see finishing). */
export function eta(s: JobStatus | null): number | null {
  if (!s || s.total <= 0 || s.rate <= 0 || s.state !== "running" || finishing(s)) return null;
  return Math.max(0, (s.total - s.done) / s.rate);
}

/** A running job past its last unit: it is finishing (an import commits and rebuilds its
 *  indexes, seconds at 1M rows), not "about 0 s" from the end. */
export function finishing(s: JobStatus | null): boolean {
  return s !== null && s.state === "running" && s.total > 0 && s.done >= s.total;
}

export function useJob(id: string | null): JobStatus | null {
  const [st, setSt] = useState<JobStatus | null>(null);
  useEffect(() => {
    setSt(null);
    if (!id) return;
    let stopped = false;
    const take = (d: unknown) => {
      const s = d as JobStatus;
      if (!stopped && s && s.id === id) setSt(s);
    };
    const offs = [on("job:progress", take), on("job:done", take)];
    const poll = async () => {
      try {
        take(await Jobs.Get(id));
      } catch {
        // the next poll retries
      }
    };
    void poll();
    const timer = setInterval(poll, 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
      for (const off of offs) off();
    };
  }, [id]);
  return st;
}
