// Browsers cap an element's height near 33.5M px (Chrome and WebKit alike), which a grid of
// a million 36 px rows exceeds. The virtualizer works in "virtual" pixels (rows × height) and
// the scroll container in real ones; above the cap, real = virtual / scale.

export const MAX_REAL_HEIGHT = 15_000_000;

/** scaleFor returns virtual px per real px (1 when the list fits). */
export function scaleFor(virtualHeight: number, viewport: number, max = MAX_REAL_HEIGHT): number {
  if (virtualHeight <= max) return 1;
  const vh = Math.max(0, viewport);
  return Math.max(1, (virtualHeight - vh) / Math.max(1, max - vh));
}

/** realHeight is the height the scroll container's content gets. */
export function realHeight(virtualHeight: number, max = MAX_REAL_HEIGHT): number {
  return Math.min(virtualHeight, max);
}

/** rowTop places a row (virtual start) in real pixels, relative to the real scroll offset. */
export function rowTop(virtualStart: number, virtualOffset: number, realOffset: number): number {
  return realOffset + (virtualStart - virtualOffset);
}
