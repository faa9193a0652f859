import { Alert, Button, Group, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDownload, IconFolderOpen } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import { isDesktop } from "../../api";
import { type ReportDef, type ReportExportResult, Reports } from "../../api/reports";
import { useI18n } from "../../i18n";
import { saveOrDownload } from "../io/files";
import { JobProgress } from "../jobs/JobProgress";
import { useJob } from "../jobs/useJob";

const formats = ["xlsx", "csv", "html"] as const;

/** ExportPanel exports the report being edited as a background job: progress, cancel, then
 * download (browser) or save as / open folder (desktop). */
export function ExportPanel({ def, name }: { def: ReportDef; name: string }) {
  const { t, te, fmtNumber, lang } = useI18n();
  const [job, setJob] = useState<string | null>(null);
  const [result, setResult] = useState<ReportExportResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const status = useJob(job);
  useEffect(() => {
    if (!job || status?.state !== "done") return;
    Reports.ExportResult(job).then(setResult, setError);
  }, [job, status?.state]);
  const start = async (format: string) => {
    setError(null);
    setResult(null);
    try {
      setJob(
        await Reports.StartExport({
          reportId: "",
          name,
          definition: def,
          format,
          dateFrom: "",
          dateTo: "",
          lang,
        }),
      );
    } catch (e) {
      setError(e);
    }
  };
  const running = status?.state === "running";
  return (
    <Stack gap="sm" data-testid="report-export">
      <Title order={4}>{t("reports.export")}</Title>
      <Group>
        {formats.map((f) => (
          <Button
            key={f}
            variant="light"
            leftSection={<IconDownload size={16} aria-hidden />}
            disabled={running}
            onClick={() => void start(f)}
            data-testid={`report-export-${f}`}
          >
            {t("reports.exportAs", { format: f.toUpperCase() })}
          </Button>
        ))}
      </Group>
      {job && <JobProgress status={status} unit={t("reports.allRows")} />}
      {error !== null && <Alert color="red">{te(error)}</Alert>}
      {result && job && (
        <Group data-testid="report-export-done">
          <Text size="sm">{t("reports.exported", { rows: fmtNumber(result.rows), path: result.path })}</Text>
          <Button
            size="xs"
            leftSection={<IconDownload size={14} aria-hidden />}
            onClick={() =>
              void saveOrDownload(result.path, () => Reports.SaveAs(job)).catch((e: unknown) =>
                notifications.show({ color: "red", message: te(e) }),
              )
            }
          >
            {isDesktop() ? t("reports.saveAs") : t("reports.download")}
          </Button>
          {isDesktop() && (
            <Button
              size="xs"
              variant="default"
              leftSection={<IconFolderOpen size={14} aria-hidden />}
              onClick={() =>
                void Reports.OpenFolder(job).catch((e: unknown) =>
                  notifications.show({ color: "red", message: te(e) }),
                )
              }
            >
              {t("reports.openFolder")}
            </Button>
          )}
        </Group>
      )}
    </Stack>
  );
}
