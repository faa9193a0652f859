import { Badge, Checkbox, Group, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Pages, type PageView } from "../../api/pages";
import { ListScreen } from "../../components/ListScreen";
import { useI18n } from "../../i18n";
import { ErrorBox } from "../common";

export function PageList() {
  const { t, fmtNumber } = useI18n();
  const url = useQuery({ queryKey: ["pages", "publicUrl"], queryFn: () => Pages.PublicURL() });
  return (
    <ListScreen<PageView>
      title={t("pages.title")}
      newLabel={t("pages.new")}
      newPath="/pages/new"
      queryRoot="pages"
      list={Pages.List}
      restore={Pages.Restore}
      filter={(rows) => rows.filter((p) => !p.variantParentId)}
      emptyTitle={t("pages.empty")}
      emptyHint={t("pages.emptyHint")}
      testId="page-list"
      notice={url.data === "" && <Text c="dimmed">{t("pages.noTracker")}</Text>}
      footer={<PrefSegments />}
      columns={[
        {
          header: t("pages.col.title"),
          cell: (p) => (
            <Group gap="xs">
              <a href={`#/pages/${p.id}`}>{p.title}</a>
              {p.language && <Badge variant="outline">{p.language}</Badge>}
              {p.preferenceCenter && <Badge color="grape">{t("pages.prefCenter")}</Badge>}
              {!p.published && <Badge color="gray">{t("pages.unpublished")}</Badge>}
            </Group>
          ),
        },
        { header: t("pages.col.url"), cell: (p) => <code>{p.customPath || `/p/${p.alias}`}</code> },
        { header: t("pages.col.hits"), align: "right", cell: (p) => fmtNumber(p.hits) },
        { header: t("pages.col.unique"), align: "right", cell: (p) => fmtNumber(p.uniqueHits) },
        { header: t("pages.col.conversions"), align: "right", cell: (p) => fmtNumber(p.conversions) },
      ]}
    />
  );
}

/** PrefSegments flags the segments contacts may join or leave on the preference center. */
function PrefSegments() {
  const { t, te } = useI18n();
  const q = useQuery({ queryKey: ["pages", "prefSegments"], queryFn: () => Pages.PrefSegments() });
  const [local, setLocal] = useState<Record<string, boolean>>({});
  const toggle = async (id: string, on: boolean) => {
    setLocal((m) => ({ ...m, [id]: on }));
    try {
      await Pages.SetPrefVisible(id, on);
      notifications.show({ message: t("pages.prefs.saved"), color: "green" });
      void q.refetch();
    } catch (e) {
      setLocal((m) => ({ ...m, [id]: !on }));
      notifications.show({ message: te(e), color: "red" });
    }
  };
  return (
    <Stack gap="xs" mt="lg" data-testid="pref-segments">
      <Title order={3}>{t("pages.prefs.title")}</Title>
      <Text c="dimmed" size="sm">
        {t("pages.prefs.hint")}
      </Text>
      {q.error && <ErrorBox error={q.error} />}
      {q.data && q.data.length === 0 && <Text c="dimmed">{t("pages.prefs.none")}</Text>}
      {(q.data ?? []).map((s) => (
        <Checkbox
          key={s.id}
          label={s.name}
          aria-description={t("pages.prefs.visible")}
          checked={local[s.id] ?? s.visible}
          onChange={(e) => void toggle(s.id, e.currentTarget.checked)}
        />
      ))}
    </Stack>
  );
}
