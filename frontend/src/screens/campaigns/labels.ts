// Translated labels for catalogue entries, kinds, properties, problems and waits.
import { useMemo } from "react";
import type { CampaignEvent, Problem } from "../../api/campaigns";
import { isKey, useI18n } from "../../i18n";
import type { FlowInput } from "./flow";

export function useLabels() {
  const { t } = useI18n();
  return useMemo(() => labels(t), [t]);
}

function labels(t: ReturnType<typeof useI18n>["t"]) {
  const tk = (k: string, fallback: string, params?: Record<string, unknown>) =>
    isKey(k) ? t(k, params) : fallback;
  const typeLabel = (type: string) => tk(`campaigns.type.${type}`, type);
  const kindLabel = (kind: string) => tk(`campaigns.kind.${kind}`, kind);
  const groupLabel = (g: string) => tk(`campaigns.group.${g}`, g);
  const propLabel = (name: string) => tk(`campaigns.prop.${name}`, name);
  const problemText = (p: Problem) => {
    const params: Record<string, unknown> = { ...(p.params ?? {}) };
    if (typeof params.prop === "string") params.prop = propLabel(params.prop);
    if (typeof params.type === "string" && p.key !== "campaigns.problems.sourceEmpty")
      params.type = typeLabel(params.type);
    if (typeof params.kind === "string") params.kind = kindLabel(params.kind);
    return tk(p.key, p.message, params);
  };
  const triggerSummary = (ev: CampaignEvent) => {
    const tr = ev.trigger;
    if (!tr || tr.mode === "immediate" || tr.mode === "") return "";
    if (tr.mode === "date")
      return `${t("campaigns.trigger.date")}: ${tr.date ? new Date(tr.date).toLocaleString() : "?"}`;
    let s = `${t("campaigns.trigger.interval")}: ${tr.interval} ${tk(`campaigns.unit.${tr.unit}`, tr.unit)}`;
    if (tr.hour) s += ` @ ${tr.hour}`;
    if (tr.startHour && tr.endHour) s += ` ${tr.startHour}–${tr.endHour}`;
    if (tr.weekdays && tr.weekdays.length > 0 && tr.weekdays.length < 7)
      s += ` (${tr.weekdays.map((d) => tk(`campaigns.day.${d}`, String(d))).join(", ")})`;
    return s;
  };
  return { t, tk, typeLabel, kindLabel, groupLabel, propLabel, problemText, triggerSummary };
}

/** useFlowWords is every label the canvas nodes need (stable while the language is). */
export function useFlowWords(segName: Map<string, string>): FlowInput["words"] {
  const L = useLabels();
  return useMemo(() => {
    const t = L.t;
    return {
      kind: L.kindLabel,
      type: L.typeLabel,
      summary: L.triggerSummary,
      source: (ty) => t(ty === "form" ? "campaigns.source.form" : "campaigns.source.segment"),
      sourceItems: (_ty, ids) =>
        ids.length === 0 ? t("campaigns.sourceNone") : ids.map((x) => segName.get(x) ?? x).join(", "),
      counts: (c) => t("campaigns.counts", { ...c }),
      sim: (c, br) =>
        br
          ? `${t("campaigns.sim.yes")} ${c.yes} · ${t("campaigns.sim.no")} ${c.no}`
          : `${t("campaigns.sim.done")} ${c.done}`,
      nodeLabel: (kind, name) => t("campaigns.node", { kind, name }),
      add: (name) => ({
        after: t("campaigns.addAfter", { name }),
        yes: t("campaigns.addYes", { name }),
        no: t("campaigns.addNo", { name }),
        yesText: t("campaigns.yes"),
        noText: t("campaigns.no"),
      }),
      addRoot: t("campaigns.addRoot"),
    };
  }, [L, segName]);
}
