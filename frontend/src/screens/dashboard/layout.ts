// Board arrangement as pure functions: the grid has 12 columns; widgets flow in list order,
// each spanning w columns and h rows. Pointer gestures (drag, resize) and the keyboard/click
// alternatives (move buttons, wider/narrower) all end in one of these functions.

export interface Tile {
  id: string;
  type: string;
  w: number;
  h: number;
}

export const WIDTHS = [3, 4, 6, 8, 9, 12] as const;
export const MAX_H = 3;

/** rows packs tiles into visual rows the way CSS grid auto-flow does for full rows. */
export function rows(tiles: Tile[]): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let used = 0;
  tiles.forEach((t, i) => {
    if (used + t.w > 12 && cur.length > 0) {
      out.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(i);
    used += t.w;
  });
  if (cur.length > 0) out.push(cur);
  return out;
}

/** moveTo moves the tile at index from to index to (list order = grid order). */
export function moveTo(tiles: Tile[], from: number, to: number): Tile[] {
  if (from === to || from < 0 || from >= tiles.length) return tiles;
  const out = tiles.slice();
  const [t] = out.splice(from, 1);
  if (!t) return tiles;
  out.splice(Math.max(0, Math.min(to, out.length)), 0, t);
  return out;
}

export type Direction = "left" | "right" | "up" | "down";

/** move shifts a tile one step: left/right swap with a neighbour, up/down go to the
 *  tile above/below in the packed rows (same column start, or the row's last tile). */
export function move(tiles: Tile[], id: string, dir: Direction): Tile[] {
  const i = tiles.findIndex((t) => t.id === id);
  if (i < 0) return tiles;
  if (dir === "left") return moveTo(tiles, i, i - 1);
  if (dir === "right") return moveTo(tiles, i, i + 1);
  const rs = rows(tiles);
  const r = rs.findIndex((row) => row.includes(i));
  const target = rs[dir === "up" ? r - 1 : r + 1];
  const row = rs[r];
  if (!target || !row) return tiles;
  // Column where the tile starts in its row.
  let col = 0;
  for (const j of row) {
    if (j === i) break;
    col += tiles[j]?.w ?? 0;
  }
  // The tile of the target row covering that column (or its last one).
  let start = 0;
  let dest = target[target.length - 1] ?? i;
  for (const j of target) {
    const w = tiles[j]?.w ?? 0;
    if (col < start + w) {
      dest = j;
      break;
    }
    start += w;
  }
  return moveTo(tiles, i, dest);
}

/** resize sets a tile's width (snapped to WIDTHS) and height (1..MAX_H). */
export function resize(tiles: Tile[], id: string, w: number, h: number): Tile[] {
  const snapped = WIDTHS.reduce(
    (best, x) => (Math.abs(x - w) < Math.abs(best - w) ? x : best),
    WIDTHS[0] as number,
  );
  const hh = Math.max(1, Math.min(MAX_H, Math.round(h)));
  return tiles.map((t) => (t.id === id ? { ...t, w: snapped, h: hh } : t));
}

/** step makes a tile one size wider (+1) or narrower (-1). */
export function step(tiles: Tile[], id: string, delta: 1 | -1): Tile[] {
  const t = tiles.find((x) => x.id === id);
  if (!t) return tiles;
  const k = WIDTHS.indexOf(t.w as (typeof WIDTHS)[number]);
  const next = WIDTHS[Math.max(0, Math.min(WIDTHS.length - 1, (k < 0 ? 2 : k) + delta))] ?? t.w;
  return tiles.map((x) => (x.id === id ? { ...x, w: next } : x));
}

/** newId returns an id not used on the board. */
export function newId(tiles: Tile[]): string {
  let n = tiles.length + 1;
  while (tiles.some((t) => t.id === `w${n}`)) n++;
  return `w${n}`;
}

/** add appends a tile of type (half width, one row). */
export function add(tiles: Tile[], type: string): Tile[] {
  return [...tiles, { id: newId(tiles), type, w: 6, h: 1 }];
}

export function remove(tiles: Tile[], id: string): Tile[] {
  return tiles.filter((t) => t.id !== id);
}

/** isoDay formats a local date as YYYY-MM-DD. */
export function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** presetRange returns from..to for "last N days" ending today. */
export function presetRange(days: number, today = new Date()): { from: string; to: string } {
  const from = new Date(today);
  from.setDate(from.getDate() - (days - 1));
  return { from: isoDay(from), to: isoDay(today) };
}
