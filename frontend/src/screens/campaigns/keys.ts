// Keyboard control of the canvas: Tab/arrows select a node (arrows walk the tree: up to the
// parent, down to the first child, left/right among siblings), Enter opens the panel, A adds
// after, Delete removes, Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y) undo/redo, Ctrl+C / Ctrl+V copy and
// paste a branch, L lays out, Escape clears the selection.

import type { RefObject } from "react";
import type { Graph } from "../../api/campaigns";
import { isTyping, undoKey } from "../../history";
import { children, events, sources } from "./graph";

/** neighbour returns the node an arrow key moves to from id (pure, tested). */
export function neighbour(g: Graph, id: string | null, key: string): string | null {
  const srcs = [...sources(g)].sort((a, b) => a.x - b.x);
  const evs = events(g);
  const first = srcs[0]?.id ?? evs[0]?.id ?? null;
  if (!id) return first;
  const src = srcs.find((s) => s.id === id);
  const ev = evs.find((e) => e.id === id);
  const byX = <T extends { x: number; path?: string }>(l: T[]) => [...l].sort((a, b) => a.x - b.x);
  if (src) {
    if (key === "ArrowDown") return byX(children(g, null))[0]?.id ?? null;
    if (key === "ArrowLeft" || key === "ArrowRight") {
      const i = srcs.findIndex((s) => s.id === id);
      return srcs[i + (key === "ArrowLeft" ? -1 : 1)]?.id ?? null;
    }
    return null;
  }
  if (!ev) return first;
  if (key === "ArrowUp") {
    if (ev.parent === null) return srcs[0]?.id ?? null;
    return evs.some((e) => e.id === ev.parent) ? ev.parent : null;
  }
  if (key === "ArrowDown") return byX(children(g, ev.id))[0]?.id ?? null;
  const sibs = byX(evs.filter((e) => e.parent === ev.parent));
  const i = sibs.findIndex((e) => e.id === id);
  return sibs[i + (key === "ArrowLeft" ? -1 : 1)]?.id ?? null;
}

export interface KeyActions {
  wrapper: RefObject<HTMLElement | null>;
  graph: Graph;
  selected: string | null;
  readOnly: boolean;
  select: (id: string | null, focus?: boolean) => void;
  selectEdge: (id: string) => void;
  openPanel: () => void;
  addAfter: () => void;
  /** remove deletes the selected edge, else the node id (the focused one) or the selected node. */
  remove: (id?: string) => void;
  undo: () => void;
  redo: () => void;
  copy: (id?: string) => void;
  paste: () => void;
  layout: () => void;
  escape: () => void;
}

export function useBuilderKeys(a: KeyActions) {
  const onKeyDownCapture = (e: React.KeyboardEvent) => {
    if (isTyping(e.target)) return;
    const mod = e.ctrlKey || e.metaKey;
    const k = e.key;
    // The focused node is the one acted on, even when a focus event was missed (focus()
    // on an element that already had it fires none).
    const focused = (e.target as HTMLElement).closest?.<HTMLElement>(".react-flow__node")?.dataset.id;
    const target = focused && focused !== a.selected ? focused : undefined;
    let handled = true;
    if (k === "ArrowUp" || k === "ArrowDown" || k === "ArrowLeft" || k === "ArrowRight") {
      if (mod) return; // leave Ctrl+arrows alone
      const next = neighbour(a.graph, a.selected, k);
      if (next) a.select(next, true);
    } else if (k === "Enter" || k === " ") {
      if (!a.selected) {
        const id = (e.target as HTMLElement).closest?.<HTMLElement>(".react-flow__node")?.dataset.id;
        if (id) a.select(id);
        else handled = false;
      } else if ((e.target as HTMLElement).closest?.(".react-flow__node")) a.openPanel();
      else handled = false;
    } else if (k === "Delete" || k === "Backspace") a.remove(target);
    else if (undoKey(e) === "redo") a.redo();
    else if (undoKey(e) === "undo") a.undo();
    else if (mod && (k === "c" || k === "C")) a.copy(target);
    else if (mod && (k === "v" || k === "V")) a.paste();
    else if (!mod && !e.altKey && (k === "a" || k === "A")) a.addAfter();
    else if (!mod && !e.altKey && (k === "l" || k === "L")) a.layout();
    else if (k === "Escape") a.escape();
    else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };
  const onFocusCapture = (e: React.FocusEvent) => {
    const el = e.target as HTMLElement;
    if (el.classList?.contains("react-flow__node") && el.dataset.id && el.dataset.id !== a.selected) {
      a.select(el.dataset.id);
    }
    // A focused edge is selected too, so Delete disconnects it without a mouse.
    const edge = el.closest?.(".react-flow__edge")?.getAttribute("data-id");
    if (edge) a.selectEdge(edge);
  };
  return { onKeyDownCapture, onFocusCapture };
}
