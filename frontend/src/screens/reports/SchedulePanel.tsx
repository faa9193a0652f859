import { Alert, Group, NumberInput, Select, Stack, TagsInput, Text, TextInput, Title } from "@mantine/core";
import type { ReportSchedule, ReportView } from "../../api/reports";
import { type Key, useI18n } from "../../i18n";

/** SchedulePanel edits when the report runs by itself and where the file goes. */
export function SchedulePanel({
  report,
  onChange,
  fieldErrors,
}: {
  report: ReportView;
  onChange: (s: ReportSchedule) => void;
  fieldErrors: Record<string, string>;
}) {
  const { t, fmtDate, lang } = useI18n();
  const s = report.schedule;
  const set = (patch: Partial<ReportSchedule>) => onChange({ ...s, ...patch });
  const err = (f: string) =>
    fieldErrors[`schedule.${f}`] ? t(fieldErrors[`schedule.${f}`] as Key) : undefined;
  return (
    <Stack gap="sm" data-testid="report-schedule">
      <Title order={4}>{t("reports.scheduleTitle")}</Title>
      <Group grow align="flex-start">
        <Select
          label={t("reports.every")}
          data={["", "daily", "weekly", "monthly"].map((v) => ({
            value: v,
            label: t(`reports.every.${v || "none"}` as Key),
          }))}
          value={s.every}
          allowDeselect={false}
          // A schedule speaks the language it was set up in until told otherwise.
          onChange={(v) => set({ every: v ?? "", lang: s.lang || lang })}
          error={err("every")}
          data-testid="report-every"
        />
        {s.every === "weekly" && (
          <Select
            label={t("reports.weekday")}
            data={[1, 2, 3, 4, 5, 6, 0].map((d) => ({
              value: String(d),
              label: t(`reports.wd.${d}` as Key),
            }))}
            value={String(s.weekday)}
            allowDeselect={false}
            onChange={(v) => set({ weekday: Number(v ?? 1) })}
            error={err("weekday")}
          />
        )}
        {s.every === "monthly" && (
          <NumberInput
            label={t("reports.day")}
            min={-1}
            max={28}
            value={s.day}
            onChange={(v) => set({ day: typeof v === "number" ? v : 1 })}
            error={err("day")}
          />
        )}
        {s.every !== "" && (
          <NumberInput
            label={t("reports.hour")}
            min={0}
            max={23}
            value={s.hour}
            onChange={(v) => set({ hour: typeof v === "number" ? v : 0 })}
            error={err("hour")}
          />
        )}
      </Group>
      {s.every !== "" && (
        <>
          <Group grow align="flex-start">
            <Select
              label={t("reports.format")}
              data={["xlsx", "csv", "html"].map((f) => ({ value: f, label: f.toUpperCase() }))}
              value={s.format || "xlsx"}
              allowDeselect={false}
              onChange={(v) => set({ format: v ?? "xlsx" })}
              error={err("format")}
            />
            <Select
              label={t("reports.lang")}
              description={t("reports.langHint")}
              data={[
                { value: "en", label: "English" },
                { value: "fr", label: "Français" },
              ]}
              value={s.lang === "fr" ? "fr" : "en"}
              allowDeselect={false}
              onChange={(v) => set({ lang: v ?? "en" })}
            />
            <TextInput
              label={t("reports.folder")}
              description={t("reports.folderHint")}
              value={s.folder}
              onChange={(e) => set({ folder: e.currentTarget.value })}
              error={err("folder")}
            />
          </Group>
          <TagsInput
            label={t("reports.emails")}
            description={t("reports.emailsHint")}
            value={s.emails}
            onChange={(v) => set({ emails: v })}
            error={err("emails")}
          />
        </>
      )}
      {report.lastRunAt && (
        <Text size="sm" c={report.lastStatus === "error" ? "red" : "dimmed"}>
          {t("reports.lastRun", {
            date: fmtDate(report.lastRunAt),
            status: report.lastStatus === "error" ? report.lastError : report.lastPath || "ok",
          })}
        </Text>
      )}
      {report.nextRunAt && s.every !== "" && (
        <Text size="sm" c="dimmed">
          {t("reports.nextRun", { date: fmtDate(report.nextRunAt) })}
        </Text>
      )}
      {!report.id && s.every !== "" && <Alert color="blue">{t("reports.unsaved")}</Alert>}
    </Stack>
  );
}
