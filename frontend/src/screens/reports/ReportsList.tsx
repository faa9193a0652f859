import { Anchor, Badge, Button, Group, Stack, Switch, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Reports } from "../../api/reports";
import { type Key, useI18n } from "../../i18n";
import { navigate } from "../../router";
import { EmptyState, ErrorBox, Loading } from "../common";

/** The report list: source, schedule and next run; the trash on demand. */
export function ReportsList() {
  const { t, te, fmtDate } = useI18n();
  const [trash, setTrash] = useState(false);
  const q = useQuery({ queryKey: ["reports", trash], queryFn: () => Reports.List(trash) });
  const opts = useQuery({ queryKey: ["reportOptions"], queryFn: () => Reports.Options() });
  const srcLabel = new Map((opts.data?.sources ?? []).map((s) => [s.id, s.label]));
  const restore = async (id: string) => {
    try {
      await Reports.Restore(id);
      notifications.show({ message: t("reports.restored") });
      void q.refetch();
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{trash ? t("reports.trash") : t("reports.title")}</Title>
        <Group>
          <Switch
            label={t("reports.showTrash")}
            checked={trash}
            onChange={(e) => setTrash(e.currentTarget.checked)}
          />
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => navigate("/reports/new")}>
            {t("reports.new")}
          </Button>
        </Group>
      </Group>
      {q.isLoading && <Loading />}
      {q.error && <ErrorBox error={q.error} onRetry={() => void q.refetch()} />}
      {q.data && q.data.length === 0 && !trash && (
        <EmptyState title={t("reports.empty")} hint={t("reports.emptyHint")}>
          <Button onClick={() => navigate("/reports/new")}>{t("reports.new")}</Button>
        </EmptyState>
      )}
      {q.data && q.data.length > 0 && (
        <Table striped highlightOnHover data-testid="report-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("reports.name")}</Table.Th>
              <Table.Th>{t("reports.source")}</Table.Th>
              <Table.Th>{t("reports.schedule")}</Table.Th>
              <Table.Th>{t("reports.modified")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {q.data.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <Anchor href={`#/reports/${r.id}`}>{r.name}</Anchor>
                  {r.description && (
                    <Text size="xs" c="dimmed">
                      {r.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{srcLabel.get(r.definition.source) ?? r.definition.source}</Table.Td>
                <Table.Td>
                  {r.schedule.every ? (
                    <Group gap={6}>
                      <Badge color={r.lastStatus === "error" ? "red" : "teal"}>
                        {t(`reports.every.${r.schedule.every}` as Key)}
                      </Badge>
                      {r.nextRunAt && (
                        <Text size="xs" c="dimmed">
                          {t("reports.nextRun", { date: fmtDate(r.nextRunAt) })}
                        </Text>
                      )}
                    </Group>
                  ) : (
                    <Text size="sm" c="dimmed">
                      {t("reports.noSchedule")}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{fmtDate(r.dateModified)}</Table.Td>
                <Table.Td>
                  {trash && (
                    <Button size="xs" variant="light" onClick={() => void restore(r.id)}>
                      {t("reports.restore")}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
