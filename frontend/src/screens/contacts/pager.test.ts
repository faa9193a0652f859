import { describe, expect, it, vi } from "vitest";
import { type PageResult, Pager } from "./pager";

function source(total: number) {
  const calls: number[] = [];
  const fetch = vi.fn(async (offset: number, limit: number): Promise<PageResult<number>> => {
    calls.push(offset);
    const rows = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) rows.push(i);
    return { rows, total };
  });
  return { fetch, calls };
}

describe("Pager", () => {
  it("fetches only the pages covering the range, once", async () => {
    const s = source(1_000_000);
    const p = new Pager(s.fetch, () => {}, 100);
    await p.ensure(0, 49);
    await p.ensure(950_000, 950_030);
    await Promise.all([p.ensure(950_000, 950_120), p.ensure(950_050, 950_150)]);
    expect(s.calls).toEqual([0, 950_000, 950_100]);
    expect(p.get(950_123)).toBe(950_123);
    expect(p.get(500)).toBeUndefined();
    expect(p.total).toBe(1_000_000);
  });

  it.each([
    [0, 0, 250, [0]],
    [95, 205, 250, [0, 1, 2]],
    [240, 400, 250, [2]],
    [10, 5, 250, []],
  ])("pagesFor(%i, %i) with total %i", async (a, b, total, want) => {
    const s = source(total);
    const p = new Pager(s.fetch, () => {}, 100);
    await p.ensure(0, 0);
    expect(p.pagesFor(a, b)).toEqual(want);
  });

  it("drops answers that arrive after a reset", async () => {
    let release: (v: PageResult<string>) => void = () => {};
    const slow = () => new Promise<PageResult<string>>((r) => (release = r));
    const p = new Pager<string>(slow, () => {}, 10);
    const pending = p.ensure(0, 5);
    p.reset(async () => ({ rows: ["new"], total: 1 }));
    release({ rows: ["stale"], total: 99 });
    await pending;
    expect(p.get(0)).toBeUndefined();
    await p.ensure(0, 5);
    expect(p.get(0)).toBe("new");
    expect(p.total).toBe(1);
  });

  it("keeps an error and clears it on the next success", async () => {
    let fail = true;
    const p = new Pager<number>(
      async () => {
        if (fail) throw new Error("locked");
        return { rows: [1], total: 1 };
      },
      () => {},
    );
    await p.ensure(0, 0);
    expect(String(p.error)).toContain("locked");
    fail = false;
    await p.ensure(0, 0);
    expect(p.error).toBeNull();
  });

  it("evicts far pages beyond maxPages", async () => {
    const s = source(100_000);
    const p = new Pager(s.fetch, () => {}, 10, 3);
    for (const start of [0, 10, 20, 30, 40]) await p.ensure(start, start);
    expect(p.loaded(4)).toBe(true);
    expect(p.loaded(0)).toBe(false);
    expect(p.loaded(1)).toBe(false);
  });

  it("refresh reloads visible pages and forgets others", async () => {
    const s = source(1000);
    const p = new Pager(s.fetch, () => {}, 100);
    await p.ensure(0, 0);
    await p.ensure(500, 500);
    s.calls.length = 0;
    await p.refresh(500, 550);
    expect(s.calls).toEqual([500]);
    expect(p.loaded(0)).toBe(false);
  });
});
