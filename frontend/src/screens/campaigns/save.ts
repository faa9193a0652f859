// Autosave of the draft: 700 ms after the last change, on leaving the builder, and on demand
// (before publishing). The undo history stays in memory; only the present is saved.
import { useCallback, useEffect, useRef, useState } from "react";
import { Campaigns, type Graph } from "../../api/campaigns";
import { useI18n } from "../../i18n";
import type { Meta } from "./Dialogs";

export type SaveState = "saved" | "dirty" | "saving" | "failed";

export function useAutosave(id: string, meta: Meta, graph: Graph) {
  const { t, te } = useI18n();
  const [save, setSave] = useState<SaveState>("saved");
  const [saveError, setSaveError] = useState("");
  const lastSaved = useRef(JSON.stringify({ meta, graph }));
  const metaRef = useRef(meta);
  metaRef.current = meta;
  const saveNow = useCallback(async () => {
    const body = JSON.stringify({ meta, graph });
    if (body === lastSaved.current) return true;
    setSave("saving");
    try {
      await Campaigns.Save({ id, ...meta, graph });
      lastSaved.current = body;
      setSave("saved");
      return true;
    } catch (e) {
      setSave("failed");
      setSaveError(t("campaigns.saveFailed", { error: te(e) }));
      return false;
    }
  }, [id, meta, graph, t, te]);
  useEffect(() => {
    if (JSON.stringify({ meta, graph }) === lastSaved.current) return;
    setSave("dirty");
    const timer = setTimeout(() => void saveNow(), 700);
    return () => clearTimeout(timer);
  }, [meta, graph, saveNow]);
  // Leaving the builder saves what is pending.
  const saveRef = useRef(saveNow);
  saveRef.current = saveNow;
  useEffect(() => () => void saveRef.current(), []);
  /** markSaved records g as what the backend holds (after a restore). */
  const markSaved = useCallback((g: Graph) => {
    lastSaved.current = JSON.stringify({ meta: metaRef.current, graph: g });
  }, []);
  return { save, saveError, saveNow, markSaved };
}
