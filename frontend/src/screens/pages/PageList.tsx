import { Badge, Button, Checkbox, Group, Stack, Switch, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Pages } from "../../api/pages";
import { useI18n } from "../../i18n";
import { navigate } from "../../router";
import { EmptyState, ErrorBox, Loading } from "../common";

export function PageList() {
  const { t, te, fmtNumber } = useI18n();
  const client = useQueryClient();
  const [trash, setTrash] = useState(false);
  const list = useQuery({ queryKey: ["pages", trash], queryFn: () => Pages.List(trash) });
  const url = useQuery({ queryKey: ["pages", "publicUrl"], queryFn: () => Pages.PublicURL() });
  const top = (list.data ?? []).filter((p) => !p.variantParentId);
  const restore = async (id: string) => {
    try {
      await Pages.Restore(id);
      notifications.show({ message: t("pages.restored"), color: "green" });
      void client.invalidateQueries({ queryKey: ["pages"] });
    } catch (e) {
      notifications.show({ message: te(e), color: "red" });
    }
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("pages.title")}</Title>
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => navigate("/pages/new")}>
          {t("pages.new")}
        </Button>
      </Group>
      {url.data === "" && <Text c="dimmed">{t("pages.noTracker")}</Text>}
      <Switch
        label={t("pages.showTrash")}
        checked={trash}
        onChange={(e) => setTrash(e.currentTarget.checked)}
      />
      {list.isLoading && <Loading />}
      {list.error && <ErrorBox error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && top.length === 0 && <EmptyState title={t("pages.empty")} hint={t("pages.emptyHint")} />}
      {top.length > 0 && (
        <Table highlightOnHover data-testid="page-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("pages.col.title")}</Table.Th>
              <Table.Th>{t("pages.col.url")}</Table.Th>
              <Table.Th ta="right">{t("pages.col.hits")}</Table.Th>
              <Table.Th ta="right">{t("pages.col.unique")}</Table.Th>
              <Table.Th ta="right">{t("pages.col.conversions")}</Table.Th>
              {trash && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {top.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Group gap="xs">
                    <a href={`#/pages/${p.id}`}>{p.title}</a>
                    {p.language && <Badge variant="outline">{p.language}</Badge>}
                    {p.preferenceCenter && <Badge color="grape">{t("pages.prefCenter")}</Badge>}
                    {!p.published && <Badge color="gray">{t("pages.unpublished")}</Badge>}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <code>{p.customPath || `/p/${p.alias}`}</code>
                </Table.Td>
                <Table.Td ta="right">{fmtNumber(p.hits)}</Table.Td>
                <Table.Td ta="right">{fmtNumber(p.uniqueHits)}</Table.Td>
                <Table.Td ta="right">{fmtNumber(p.conversions)}</Table.Td>
                {trash && (
                  <Table.Td>
                    <Button size="xs" variant="default" onClick={() => void restore(p.id)}>
                      {t("pages.restore")}
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {!trash && <PrefSegments />}
    </Stack>
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
