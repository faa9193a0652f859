import { Alert, Button, Card, Grid, Group, Stack, Textarea, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { ApiError } from "../../api/errors";
import { type ReportOptions, Reports, type ReportView } from "../../api/reports";
import { UndoButtons, useUndo } from "../../components/Undo";
import { type Key, useI18n } from "../../i18n";
import { navigate } from "../../router";
import { ErrorBox, Loading } from "../common";
import { DefinitionForm } from "./DefinitionForm";
import { ExportPanel } from "./ExportPanel";
import { blankReport } from "./model";
import { PreviewPanel } from "./PreviewPanel";
import { SchedulePanel } from "./SchedulePanel";

/** ReportBuilder loads a report (or starts a new one) and edits it with a live preview. */
export function ReportBuilder({ id }: { id: string }) {
  const isNew = id === "new";
  const { lang } = useI18n();
  const opts = useQuery({ queryKey: ["reportOptions", lang], queryFn: () => Reports.Options(lang) });
  const rep = useQuery({ queryKey: ["report", id], queryFn: () => Reports.Get(id), enabled: !isNew });
  const err = opts.error ?? rep.error;
  if (err) return <ErrorBox error={err} />;
  if (!opts.data || (!isNew && !rep.data)) return <Loading />;
  const start = isNew
    ? blankReport(opts.data.sources.find((s) => s.id === "page.hits") ?? opts.data.sources[0])
    : rep.data;
  if (!start) return <Loading />;
  return <Editor key={start.id || "new"} initial={start} options={opts.data} />;
}

function Editor({ initial, options }: { initial: ReportView; options: ReportOptions }) {
  const { t, te } = useI18n();
  const client = useQueryClient();
  // The report (definition, schedule) with undo: a removed column or filter comes back.
  const u = useUndo<ReportView>(initial);
  const report = u.value;
  const setReport = u.set;
  const [busy, setBusy] = useState(false);
  const [previewErrors, setPreviewErrors] = useState<Record<string, string>>({});
  const [saveErrors, setSaveErrors] = useState<Record<string, string>>({});
  const [saveError, setSaveError] = useState<unknown>(null);
  const onFieldErrors = useCallback((f: Record<string, string>) => setPreviewErrors(f), []);
  const fieldErrors = { ...previewErrors, ...saveErrors };
  const save = async () => {
    setBusy(true);
    setSaveError(null);
    setSaveErrors({});
    try {
      const r = await Reports.Save(report);
      notifications.show({ message: t("reports.saved") });
      void client.invalidateQueries({ queryKey: ["reports"] });
      client.setQueryData(["report", r.id], r);
      if (!report.id) navigate(`/reports/${r.id}`);
      else setReport(r);
    } catch (e) {
      setSaveError(e);
      if (e instanceof ApiError) setSaveErrors(e.fields);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await Reports.Delete(report.id);
      notifications.show({ message: t("reports.deleted") });
      void client.invalidateQueries({ queryKey: ["reports"] });
      navigate("/reports");
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Group>
          <Button
            variant="subtle"
            leftSection={<IconArrowLeft size={16} aria-hidden />}
            onClick={() => navigate("/reports")}
          >
            {t("reports.back")}
          </Button>
          <Title order={2}>{report.name || t("reports.new")}</Title>
        </Group>
        <Group>
          <UndoButtons u={u} />
          {report.id && (
            <Button
              variant="default"
              color="red"
              leftSection={<IconTrash size={16} aria-hidden />}
              onClick={() => void remove()}
            >
              {t("reports.delete")}
            </Button>
          )}
          <Button loading={busy} onClick={() => void save()} data-testid="report-save">
            {t("reports.save")}
          </Button>
        </Group>
      </Group>
      {saveError !== null && (
        <Alert color="red">
          {saveError instanceof ApiError && saveError.key === "errors.fields"
            ? saveError.message
            : te(saveError)}
        </Alert>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack>
            <TextInput
              label={t("reports.name")}
              value={report.name}
              onChange={(e) => setReport({ ...report, name: e.currentTarget.value })}
              error={fieldErrors.name ? t(fieldErrors.name as Key) : undefined}
              required
              data-testid="report-name"
            />
            <Textarea
              label={t("reports.description")}
              value={report.description}
              autosize
              minRows={1}
              onChange={(e) => setReport({ ...report, description: e.currentTarget.value })}
            />
            <DefinitionForm
              key={u.version}
              def={report.definition}
              onChange={(d) => setReport({ ...report, definition: d })}
              options={options}
              fieldErrors={fieldErrors}
            />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Stack>
            <PreviewPanel def={report.definition} name={report.name} onFieldErrors={onFieldErrors} />
            <Card withBorder>
              <ExportPanel def={report.definition} name={report.name} />
            </Card>
            <Card withBorder>
              <SchedulePanel
                report={report}
                onChange={(s) => setReport({ ...report, schedule: s })}
                fieldErrors={fieldErrors}
              />
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
