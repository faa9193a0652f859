import { Alert, Button, Group, Progress, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type JobStatus, Jobs } from "../../api";
import { type Lang, translate, useI18n } from "../../i18n";
import { eta, finishing, percent } from "./useJob";

export function JobProgress({
  status,
  unit,
  text,
}: {
  status: JobStatus | null;
  unit: string;
  text?: string;
}) {
  const { t, te, fmtNumber, lang } = useI18n();
  if (!status) return <Progress value={0} animated aria-label={t("jobs.starting")} />;
  const p = percent(status);
  const left = eta(status);
  const running = status.state === "running";
  return (
    <Stack gap="xs" data-testid="job-progress" data-state={status.state}>
      <Progress
        value={p ?? 100}
        animated={running}
        striped={running}
        color={status.state === "failed" ? "red" : status.state === "canceled" ? "gray" : undefined}
        aria-label={status.title}
        aria-valuenow={p === null ? undefined : Math.round(p)}
      />
      <Group justify="space-between">
        <Text size="sm" aria-live="polite">
          {text ??
            (status.total > 0
              ? t("jobs.doneOf", { done: fmtNumber(status.done), total: fmtNumber(status.total), unit })
              : t("jobs.done", { done: fmtNumber(status.done), unit }))}
          {!text &&
            status.rate > 0 &&
            ` · ${t("jobs.rate", { rate: fmtNumber(Math.round(status.rate)), unit })}`}
          {left !== null && ` · ${t("jobs.eta", { s: Math.ceil(left) })}`}
          {finishing(status) && ` · ${t("jobs.finishing")}`}
        </Text>
        {running && (
          <Button
            size="xs"
            variant="default"
            onClick={() =>
              void Jobs.Cancel(status.id).catch((e: unknown) =>
                notifications.show({ color: "red", message: te(e) }),
              )
            }
          >
            {t("common.cancel")}
          </Button>
        )}
      </Group>
      {status.state === "failed" && (
        <Alert color="red" title={t("jobs.failed")}>
          {jobErrorText(lang, status)}
        </Alert>
      )}
      {status.state === "canceled" && <Text c="dimmed">{t("jobs.canceled")}</Text>}
    </Stack>
  );
}

/** jobErrorText is why a job failed, in lang when the backend gave a key (its English text
 *  otherwise: a job read back from the store after a restart). */
export function jobErrorText(lang: Lang, s: Pick<JobStatus, "error" | "errorKey" | "errorParams">): string {
  return translate(lang, s.errorKey ?? "", s.errorParams, s.error);
}
