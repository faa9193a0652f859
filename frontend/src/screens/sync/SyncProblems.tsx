import { Badge, Card, Code, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Sync } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorBox } from "../common";

/** SyncProblems lists what sync holds back and why: local edits the cluster refused and
 * teammates' changes this version cannot apply yet. Shown while there are any. */
export function SyncProblems({ rejected, parked }: { rejected: number; parked: number }) {
  const { t, lang } = useI18n();
  const q = useQuery({
    queryKey: ["sync", "problems", rejected, parked],
    queryFn: () => Sync.Problems(),
    enabled: rejected + parked > 0,
  });
  if (rejected + parked === 0) return null;
  return (
    <Card withBorder data-testid="sync-problems">
      <Title order={3} size="h4" mb="xs">
        {t("sync.problems.title")}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t("sync.problems.intro")}
      </Text>
      {q.isError && <ErrorBox error={q.error} onRetry={() => void q.refetch()} />}
      <Table.ScrollContainer minWidth={560}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("sync.problems.kind")}</Table.Th>
              <Table.Th>{t("sync.problems.row")}</Table.Th>
              <Table.Th>{t("sync.problems.reason")}</Table.Th>
              <Table.Th>{t("sync.problems.at")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(q.data ?? []).map((p) => (
              <Table.Tr key={`${p.kind}:${p.table}:${p.rowId}:${p.atMs}:${p.reason}`}>
                <Table.Td>
                  <Badge color={p.kind === "rejected" ? "red" : "yellow"} variant="light">
                    {t(p.kind === "rejected" ? "sync.problems.rejected" : "sync.problems.parked")}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {p.table} <Code>{p.rowId}</Code>
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {p.cols}
                  </Text>
                </Table.Td>
                <Table.Td>{p.reason}</Table.Td>
                <Table.Td>{p.atMs ? new Date(p.atMs).toLocaleString(lang) : ""}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}
