// Shared pieces of the points screens: the section tabs, option lists, the trash switch.
import { Group, Switch, Tabs, TextInput, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Segments } from "../../api";
import { Campaigns } from "../../api/campaigns";
import { Emails } from "../../api/emails";
import { LandingPages, Points } from "../../api/points";
import { useI18n } from "../../i18n";
import { navigate } from "../../router";

const sections = [
  { path: "/points", key: "points.nav.actions" },
  { path: "/points/triggers", key: "points.nav.triggers" },
  { path: "/points/groups", key: "points.nav.groups" },
  { path: "/stages", key: "points.nav.stages" },
] as const;

/** PointsHeader is the title, the section tabs and the screen's own controls. */
export function PointsHeader({
  current,
  title,
  trash,
  onTrash,
  children,
}: {
  current: string;
  title: string;
  trash: boolean;
  onTrash: (v: boolean) => void;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <>
      <Tabs value={current} onChange={(v) => v && navigate(v)}>
        <Tabs.List aria-label={t("points.nav.label")}>
          {sections.map((s) => (
            <Tabs.Tab key={s.path} value={s.path}>
              {t(s.key)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Group justify="space-between">
        <Title order={2}>{trash ? `${title} — ${t("points.trash")}` : title}</Title>
        <Group>
          <Switch
            label={t("points.showTrash")}
            checked={trash}
            onChange={(e) => onTrash(e.currentTarget.checked)}
          />
          {children}
        </Group>
      </Group>
    </>
  );
}

export interface Option {
  value: string;
  label: string;
}

/** useOptions loads what editors pick from: groups, stages, emails, segments, landing pages, campaigns, users. */
export function useOptions() {
  const groups = useQuery({ queryKey: ["pointGroups", false], queryFn: () => Points.Groups(false) });
  const stages = useQuery({ queryKey: ["stages", false], queryFn: () => Points.Stages(false) });
  const emails = useQuery({
    queryKey: ["emails", "options"],
    queryFn: () => Emails.List({ search: "", kind: "", deleted: false }),
  });
  const segments = useQuery({ queryKey: ["segments", false], queryFn: () => Segments.List(false) });
  const pages = useQuery({ queryKey: ["pages", "options"], queryFn: () => LandingPages.List(false) });
  const campaigns = useQuery({
    queryKey: ["campaigns", "options"],
    queryFn: () => Campaigns.List({ search: "", limit: 500, offset: 0, trash: false }),
  });
  const users = useQuery({ queryKey: ["users", "options"], queryFn: () => Points.Users() });
  return {
    groups: (groups.data ?? []).map((g) => ({ value: g.id, label: g.name })),
    stages: (stages.data ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.weight})` })),
    emails: (emails.data ?? []).map((e) => ({ value: e.id, label: e.name })),
    segments: (segments.data ?? []).map((s) => ({ value: s.id, label: s.name })),
    pages: (pages.data ?? []).map((p) => ({ value: p.id, label: p.title })),
    campaigns: (campaigns.data ?? []).map((c) => ({ value: c.id, label: c.name })),
    users: (users.data ?? []).map((u) => ({
      value: u.id,
      label: u.email ? `${u.name} <${u.email}>` : u.name,
    })),
  };
}

/** signed shows a delta with its sign. */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

/** PublishWindow edits publishUp/publishDown (UTC, datetime-local inputs; "" = open). */
/** The "published" switch and its optional window (Mautic's publish up/down dates). */
export function Publishing({
  value,
  set,
  error,
}: {
  value: { published: boolean; publishUp: string; publishDown: string };
  set: (patch: { published?: boolean; publishUp?: string; publishDown?: string }) => void;
  error?: string;
}) {
  const { t } = useI18n();
  const local = (v: string) => (v ? v.slice(0, 16) : "");
  return (
    <>
      <Switch
        label={t("points.published")}
        checked={value.published}
        onChange={(e) => set({ published: e.currentTarget.checked })}
      />
      <Group grow>
        <TextInput
          type="datetime-local"
          label={t("points.publishUp")}
          value={local(value.publishUp)}
          onChange={(e) => set({ publishUp: e.currentTarget.value })}
        />
        <TextInput
          type="datetime-local"
          label={t("points.publishDown")}
          value={local(value.publishDown)}
          onChange={(e) => set({ publishDown: e.currentTarget.value })}
          error={error}
        />
      </Group>
    </>
  );
}
