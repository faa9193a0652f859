import {
  ActionIcon,
  Alert,
  Card,
  Group,
  ScrollArea,
  Stack,
  Table,
  Text,
  Title,
  useComputedColorScheme,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconChevronLeft, IconChevronRight } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError } from "../../api/errors";
import { type ReportColumn, type ReportDef, Reports } from "../../api/reports";
import { EChart } from "../../charts/EChart";
import { useI18n } from "../../i18n";
import { cellText, numericTypes } from "./model";

const pageSize = 50;

function DataTable({ cols, rows, testid }: { cols: ReportColumn[]; rows: unknown[][]; testid: string }) {
  const { fmtNumber } = useI18n();
  return (
    <ScrollArea>
      <Table striped withTableBorder data-testid={testid} fz="sm">
        <Table.Thead>
          <Table.Tr>
            {cols.map((c) => (
              <Table.Th key={c.id} ta={numericTypes.has(c.type) ? "right" : undefined}>
                {c.label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: result rows have no id
            <Table.Tr key={i}>
              {cols.map((c, j) => (
                <Table.Td key={c.id} ta={numericTypes.has(c.type) ? "right" : undefined}>
                  {cellText(c, r[j], fmtNumber)}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}

/** PreviewPanel runs the definition as it is edited: the graph, the summary and a page of rows. */
export function PreviewPanel({
  def,
  name,
  onFieldErrors,
}: {
  def: ReportDef;
  name: string;
  onFieldErrors: (f: Record<string, string>) => void;
}) {
  const { t, te, fmtNumber, lang } = useI18n();
  const scheme = useComputedColorScheme("light");
  const [debounced] = useDebouncedValue(def, 400);
  const [page, setPage] = useState(0);
  const key = JSON.stringify(debounced);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new definition starts at the first page
  useEffect(() => setPage(0), [key]);
  const q = useQuery({
    queryKey: ["reportPreview", key, page, lang],
    queryFn: () => Reports.Preview(debounced, page * pageSize, pageSize, lang),
    retry: false,
    placeholderData: (prev) => prev,
    enabled: debounced.source !== "",
  });
  useEffect(() => {
    onFieldErrors(q.error instanceof ApiError ? q.error.fields : {});
  }, [q.error, onFieldErrors]);
  const p = q.data;
  const from = page * pageSize;
  return (
    <Stack gap="md" data-testid="report-preview">
      <Title order={3}>{t("reports.preview")}</Title>
      {q.error && (
        <Alert color="red" data-testid="report-error">
          {q.error instanceof ApiError && q.error.key === "errors.fields" ? q.error.message : te(q.error)}
        </Alert>
      )}
      {p?.chart && (
        <Card withBorder>
          <EChart
            option={p.chart}
            label={t("reports.chartLabel", { name: name || t("reports.new") })}
            dark={scheme === "dark"}
          />
        </Card>
      )}
      {p && p.summaryColumns.length > 0 && (
        <Stack gap={4}>
          <Group justify="space-between">
            <Title order={4}>{t("reports.summary")}</Title>
            <Text size="sm" c="dimmed">
              {t("reports.summaryRows", {
                n: fmtNumber(p.summaryRows.length),
                total: fmtNumber(p.summaryTotal),
              })}
            </Text>
          </Group>
          <DataTable cols={p.summaryColumns} rows={p.summaryRows.slice(0, 200)} testid="report-summary" />
        </Stack>
      )}
      {p && p.columns.length > 0 && (
        <Stack gap={4}>
          <Group justify="space-between">
            <Text size="sm" c="dimmed" aria-live="polite" data-testid="report-count">
              {p.total === 0
                ? t("reports.noRows")
                : t("reports.rowsOf", {
                    from: fmtNumber(from + 1),
                    to: fmtNumber(Math.min(from + pageSize, p.total)),
                    total: fmtNumber(p.total),
                    ms: p.ms,
                  })}
            </Text>
            <Group gap={4}>
              <ActionIcon
                variant="default"
                aria-label={t("reports.prevPage")}
                disabled={page === 0}
                onClick={() => setPage(page - 1)}
              >
                <IconChevronLeft size={16} aria-hidden />
              </ActionIcon>
              <ActionIcon
                variant="default"
                aria-label={t("reports.nextPage")}
                disabled={from + pageSize >= p.total}
                onClick={() => setPage(page + 1)}
              >
                <IconChevronRight size={16} aria-hidden />
              </ActionIcon>
            </Group>
          </Group>
          {p.total > 0 && <DataTable cols={p.columns} rows={p.rows} testid="report-rows" />}
        </Stack>
      )}
    </Stack>
  );
}
