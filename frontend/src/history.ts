// Undo/redo kept in memory: the campaign builder's graph and the form-like editors
// (segments, forms, reports) record each change as a step.

export interface History<T> {
  past: T[];
  present: T;
  future: T[];
}

const HISTORY_LIMIT = 200;

export function history<T>(v: T): History<T> {
  return { past: [], present: v, future: [] };
}

/** commit records v as the new present (no-op when nothing changed); merge replaces the
 * present instead (the next keystroke of the same edit). */
export function commit<T>(h: History<T>, v: T, merge = false): History<T> {
  if (v === h.present || JSON.stringify(v) === JSON.stringify(h.present)) return h;
  if (merge && h.past.length > 0) return { ...h, present: v, future: [] };
  return { past: [...h.past, h.present].slice(-HISTORY_LIMIT), present: v, future: [] };
}

export function undo<T>(h: History<T>): History<T> {
  if (h.past.length === 0) return h;
  const prev = h.past[h.past.length - 1] as T;
  return { past: h.past.slice(0, -1), present: prev, future: [h.present, ...h.future] };
}

export function redo<T>(h: History<T>): History<T> {
  if (h.future.length === 0) return h;
  const next = h.future[0] as T;
  return { past: [...h.past, h.present], present: next, future: h.future.slice(1) };
}

/** isTyping says a key went to a text field (which keeps its own undo). */
export function isTyping(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el?.tagName) return false;
  return ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.isContentEditable;
}

/** undoKey says which history key e is: Ctrl/Cmd+Z undo, Ctrl/Cmd+Shift+Z or Ctrl/Cmd+Y redo. */
export function undoKey(e: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}): "undo" | "redo" | null {
  if (!(e.ctrlKey || e.metaKey)) return null;
  const k = e.key.toLowerCase();
  if (k === "z") return e.shiftKey ? "redo" : "undo";
  if (k === "y") return "redo";
  return null;
}
