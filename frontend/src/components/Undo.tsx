// useUndo: a form-like editor's state with undo/redo (buttons and Ctrl+Z / Ctrl+Shift+Z),
// so that a deleted filter, field or column comes back. Typing in a field makes one step
// per pause; text fields keep their own Ctrl+Z while they have focus. One
// such editor is on screen at a time: the keys are the window's.
import { Group, type MantineSize } from "@mantine/core";
import { IconArrowBackUp, IconArrowForwardUp } from "@tabler/icons-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { commit, history, isTyping, redo, undo, undoKey } from "../history";
import { useI18n } from "../i18n";
import { IconButton } from "./IconButton";

/** Typed changes closer together than this make one step. */
const MERGE_MS = 800;

export interface Undoable<T> {
  value: T;
  /** set records a change (a step, or part of the step being typed) */
  set: (v: T | ((prev: T) => T)) => void;
  /** reset starts over from v with no history (a load or a save) */
  reset: (v: T) => void;
  undo: () => void;
  redo: () => void;
  canUndo: boolean;
  canRedo: boolean;
  /** changes on undo, redo and reset: a key for editors that keep their own copy */
  version: number;
}

export function useUndo<T>(initial: T | (() => T)): Undoable<T> {
  const [state, setState] = useState(() => ({
    h: history(typeof initial === "function" ? (initial as () => T)() : initial),
    version: 0,
  }));
  const last = useRef(0); // when the last typed change was (0: the last change was not typed)
  const set = useCallback((v: T | ((prev: T) => T)) => {
    const now = Date.now();
    const typing = isTyping(document.activeElement);
    const merge = typing && now - last.current < MERGE_MS;
    last.current = typing ? now : 0;
    setState((s) => {
      const next = typeof v === "function" ? (v as (p: T) => T)(s.h.present) : v;
      const h = commit(s.h, next, merge);
      return h === s.h ? s : { ...s, h };
    });
  }, []);
  const jump = useCallback((f: typeof undo) => {
    last.current = 0;
    setState((s) => {
      const h = f(s.h);
      return h === s.h ? s : { h, version: s.version + 1 };
    });
  }, []);
  const reset = useCallback((v: T) => {
    last.current = 0;
    setState((s) => ({ h: history(v), version: s.version + 1 }));
  }, []);
  // The keys work wherever the focus is (a removed filter's button took it along), except
  // in a text field, which undoes its own typing.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const k = undoKey(e);
      if (!k || e.defaultPrevented || isTyping(e.target)) return;
      e.preventDefault();
      jump(k === "undo" ? undo : redo);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [jump]);
  return {
    value: state.h.present,
    set,
    reset,
    undo: () => jump(undo),
    redo: () => jump(redo),
    canUndo: state.h.past.length > 0,
    canRedo: state.h.future.length > 0,
    version: state.version,
  };
}

/** UndoButtons are an editor's undo and redo buttons. */
export function UndoButtons({
  u,
  size = "sm",
  disabled = false,
}: {
  u: Pick<Undoable<unknown>, "undo" | "redo" | "canUndo" | "canRedo">;
  size?: MantineSize;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  return (
    <Group gap={6}>
      <IconButton
        label={t("editor.undo")}
        icon={<IconArrowBackUp size={16} aria-hidden />}
        size={size}
        disabled={disabled || !u.canUndo}
        onClick={u.undo}
      />
      <IconButton
        label={t("editor.redo")}
        icon={<IconArrowForwardUp size={16} aria-hidden />}
        size={size}
        disabled={disabled || !u.canRedo}
        onClick={u.redo}
      />
    </Group>
  );
}
