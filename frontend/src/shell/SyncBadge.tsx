import { Badge, Tooltip, UnstyledButton } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Sync, type SyncOverview } from "../api";
import { type Key, useI18n } from "../i18n";
import { navigate } from "../router";

export const syncStateKeys: Record<string, Key> = {
  off: "sync.badge.off",
  offline: "sync.badge.offline",
  syncing: "sync.badge.syncing",
  uptodate: "sync.badge.uptodate",
  error: "sync.badge.error",
};

const colors: Record<string, string> = {
  off: "gray",
  offline: "orange",
  syncing: "blue",
  uptodate: "green",
  error: "red",
};

/** useSyncOverview polls the sync status (the loop runs in the backend). */
export function useSyncOverview() {
  return useQuery<SyncOverview>({
    queryKey: ["sync", "overview"],
    queryFn: () => Sync.Overview(),
    refetchInterval: 2000,
  });
}

/** SyncBadge is the always-visible team sync state in the header; it opens the settings. */
export function SyncBadge() {
  const { t, lang, fmtNumber } = useI18n();
  const q = useSyncOverview();
  const st = q.data?.status;
  if (!st) return null;
  const state = st.state || "off";
  const label = t(syncStateKeys[state] ?? "sync.badge.off");
  const last = st.lastSyncMs ? new Date(st.lastSyncMs).toLocaleTimeString(lang) : t("sync.never");
  const full = t("sync.badge.label", { state: label, n: st.pending, last });
  // The accessible name starts with the visible text (WCAG 2.5.3), then the details.
  const visible =
    st.pending > 0 ? `${label} · ${t("sync.badge.pending", { n: fmtNumber(st.pending) })}` : label;
  const tip = [
    full,
    st.skewWarning ? t("sync.skew", { s: Math.round(st.clockSkewMs / 1000) }) : "",
    st.lastError ?? "",
  ]
    .filter(Boolean)
    .join(" — ");
  return (
    <Tooltip label={tip} multiline w={320}>
      <UnstyledButton
        onClick={() => navigate("/settings/sync")}
        aria-label={`${visible} — ${full}`}
        data-testid="sync-badge"
        data-state={state}
      >
        <Badge
          color={st.skewWarning && state === "uptodate" ? "yellow" : colors[state]}
          variant="light"
          size="lg"
        >
          {visible}
        </Badge>
      </UnstyledButton>
    </Tooltip>
  );
}
