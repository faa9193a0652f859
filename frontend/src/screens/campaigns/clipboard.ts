// Copy and paste of a branch (an event and every event after it), held in memory while the
// builder is open; the pasted copy goes after the selection (or at the root) with new ids.
import { notifications } from "@mantine/notifications";
import { useCallback, useRef } from "react";
import type { CampaignEvent, Graph } from "../../api/campaigns";
import { useI18n } from "../../i18n";
import { anchorFor, copyBranch, events, pasteBranch } from "./graph";

export function useClipboard(opts: {
  graph: Graph;
  selected: string | null;
  readOnly: boolean;
  apply: (f: (g: Graph) => Graph) => void;
  select: (id: string, focus: boolean) => void;
}) {
  const { t } = useI18n();
  const { graph, selected, readOnly, apply, select } = opts;
  const clip = useRef<CampaignEvent[]>([]);
  const copy = useCallback(
    (id?: string) => {
      const node = id ?? selected;
      if (!node || !events(graph).some((x) => x.id === node)) return;
      const c = copyBranch(graph, node);
      clip.current = c;
      notifications.show({ message: t("campaigns.copied", { n: c.length }) });
    },
    [selected, graph, t],
  );
  const paste = useCallback(() => {
    if (readOnly || clip.current.length === 0) return;
    const a = anchorFor(graph, selected);
    let newId = "";
    apply((g) => {
      const r = pasteBranch(g, clip.current, a);
      newId = r.id;
      return r.graph;
    });
    requestAnimationFrame(() => newId && select(newId, true));
  }, [readOnly, graph, selected, apply, select]);
  return { copy, paste };
}
