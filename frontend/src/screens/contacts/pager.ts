// Pager holds the rows of a huge server-side list page by page, for a virtualised grid: it
// fetches only the pages the viewport needs (deduplicating in-flight requests), keeps the
// total from the latest answer, and drops answers that arrive after a reset (a new search or
// sort) so stale rows never show.

export interface PageResult<R> {
  rows: R[];
  total: number;
}

export type FetchPage<R> = (offset: number, limit: number) => Promise<PageResult<R>>;

export class Pager<R> {
  readonly pageSize: number;
  private pages = new Map<number, R[]>();
  private inflight = new Set<number>();
  private gen = 0;
  private maxPages: number;
  total: number | null = null;
  error: unknown = null;

  constructor(
    private fetchPage: FetchPage<R>,
    private onChange: () => void,
    pageSize = 100,
    maxPages = 200,
  ) {
    this.pageSize = pageSize;
    this.maxPages = maxPages;
  }

  /** reset forgets every row (new query); keepTotal keeps the old count visible meanwhile. */
  reset(fetchPage?: FetchPage<R>, keepTotal = false): void {
    if (fetchPage) this.fetchPage = fetchPage;
    this.gen++;
    this.pages.clear();
    this.inflight.clear();
    this.error = null;
    if (!keepTotal) this.total = null;
  }

  /** get returns row i, or undefined while its page is loading. */
  get(i: number): R | undefined {
    return this.pages.get(Math.floor(i / this.pageSize))?.[i % this.pageSize];
  }

  loaded(page: number): boolean {
    return this.pages.has(page);
  }

  /** pagesFor lists the page numbers covering rows [start, end]. */
  pagesFor(start: number, end: number): number[] {
    const out: number[] = [];
    if (end < start) return out;
    const last =
      this.total === null
        ? Math.floor(end / this.pageSize)
        : Math.floor(Math.max(0, Math.min(end, this.total - 1)) / this.pageSize);
    for (let p = Math.floor(Math.max(0, start) / this.pageSize); p <= last; p++) out.push(p);
    return out;
  }

  /** ensure fetches the missing pages that cover rows [start, end]. */
  ensure(start: number, end: number): Promise<void> {
    const want = this.pagesFor(start, end).filter((p) => !this.pages.has(p) && !this.inflight.has(p));
    return Promise.all(want.map((p) => this.load(p))).then(() => undefined);
  }

  /** refresh reloads the given pages in place (after an edit), keeping rows until answered. */
  refresh(start: number, end: number): Promise<void> {
    const gen = ++this.gen;
    this.inflight.clear();
    const keep = new Set(this.pagesFor(start, end));
    for (const p of [...this.pages.keys()]) if (!keep.has(p)) this.pages.delete(p);
    return Promise.all([...keep].map((p) => this.load(p, gen))).then(() => undefined);
  }

  private async load(page: number, gen = this.gen): Promise<void> {
    this.inflight.add(page);
    try {
      const res = await this.fetchPage(page * this.pageSize, this.pageSize);
      if (gen !== this.gen) return;
      this.pages.set(page, res.rows);
      this.total = res.total;
      this.error = null;
      this.evict(page);
    } catch (e) {
      if (gen !== this.gen) return;
      this.error = e;
    } finally {
      if (gen === this.gen) this.inflight.delete(page);
    }
    this.onChange();
  }

  // Keep memory bounded on a 1M-row scroll: drop the pages farthest from the latest one.
  private evict(near: number): void {
    if (this.pages.size <= this.maxPages) return;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
    for (const p of far.slice(0, this.pages.size - this.maxPages)) this.pages.delete(p);
  }
}
