import { Anchor, Badge, Group, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Reports } from "../../api/reports";
import { ListScreen } from "../../components/ListScreen";
import { type Key, useI18n } from "../../i18n";

type Report = Awaited<ReturnType<typeof Reports.List>>[number];

/** The report list: source, schedule and next run; the trash on demand. */
export function ReportsList() {
  const { t, fmtDate, lang } = useI18n();
  const opts = useQuery({ queryKey: ["reportOptions", lang], queryFn: () => Reports.Options(lang) });
  const srcLabel = new Map((opts.data?.sources ?? []).map((s) => [s.id, s.label]));
  return (
    <ListScreen<Report>
      title={t("reports.title")}
      newLabel={t("reports.new")}
      newPath="/reports/new"
      queryRoot="reports"
      list={(trash) => Reports.List(trash)}
      restore={(id) => Reports.Restore(id)}
      emptyTitle={t("reports.empty")}
      emptyHint={t("reports.emptyHint")}
      emptyNew
      testId="report-list"
      columns={[
        {
          header: t("reports.name"),
          cell: (r) => (
            <>
              <Anchor href={`#/reports/${r.id}`}>{r.name}</Anchor>
              {r.description && (
                <Text size="xs" c="dimmed">
                  {r.description}
                </Text>
              )}
            </>
          ),
        },
        {
          header: t("reports.source"),
          cell: (r) => srcLabel.get(r.definition.source) ?? r.definition.source,
        },
        {
          header: t("reports.schedule"),
          cell: (r) =>
            r.schedule.every ? (
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
            ),
        },
        { header: t("reports.modified"), cell: (r) => fmtDate(r.dateModified) },
      ]}
    />
  );
}
