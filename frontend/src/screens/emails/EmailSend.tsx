import { Alert, Button, Group, Progress, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconSend, IconUsers } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { type JobStatus, on } from "../../api";
import { type EmailDryRun, Emails, type EmailView } from "../../api/emails";
import { useI18n } from "../../i18n";

/** EmailSend: count the recipients, send a segment email and follow the job's progress. */
export function EmailSend({ draft }: { draft: EmailView }) {
  const { t, te, fmtNumber } = useI18n();
  const qc = useQueryClient();
  const [dry, setDry] = useState<EmailDryRun | null>(null);
  const [jobId, setJobId] = useState("");
  const [job, setJob] = useState<JobStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(
    () =>
      on("job:progress", (d) => {
        const st = d as JobStatus;
        if (st.id === jobId) setJob(st);
      }),
    [jobId],
  );
  useEffect(
    () =>
      on("job:done", (d) => {
        const st = d as JobStatus;
        if (st.id === jobId) {
          setJob(st);
          qc.invalidateQueries({ queryKey: ["emails"] });
        }
      }),
    [jobId, qc],
  );
  if (draft.kind !== "list") return <Alert>{t("emails.send.onlySegment")}</Alert>;
  if (!draft.id) return <Alert>{t("emails.send.saveFirst")}</Alert>;
  const check = async () => {
    setError(null);
    try {
      setDry(await Emails.DryRun(draft.id));
    } catch (e) {
      setError(e);
    }
  };
  const send = async () => {
    setError(null);
    try {
      const r = await Emails.Send(draft.id);
      setJobId(r.jobId);
      notifications.show({ message: t("emails.send.started", { n: fmtNumber(r.queued) }) });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Stack maw={760}>
      <Group>
        <Button
          variant="default"
          leftSection={<IconUsers size={16} aria-hidden />}
          onClick={() => void check()}
        >
          {t("emails.send.check")}
        </Button>
        <Button
          leftSection={<IconSend size={16} aria-hidden />}
          onClick={() => void send()}
          data-testid="send-now"
        >
          {t("emails.send.now")}
        </Button>
      </Group>
      {error !== null && (
        <Alert color="red" role="alert" data-testid="send-error">
          {te(error)}
        </Alert>
      )}
      {dry && (
        <Stack gap="xs" data-testid="dry-run">
          <Text>
            {t("emails.send.dry", {
              n: fmtNumber(dry.recipients),
              sent: fmtNumber(dry.alreadySent),
              noAddr: fmtNumber(dry.noAddress),
              dnc: fmtNumber(dry.dnc),
            })}
          </Text>
          {dry.issues.map((i) => (
            <Text key={`${i.code}:${i.detail}`} size="sm" c={i.severity === "error" ? "red" : "orange"}>
              {i.detail}
            </Text>
          ))}
        </Stack>
      )}
      {job && (
        <Stack gap={4} data-testid="send-progress">
          <Progress
            value={job.total ? (100 * job.done) / job.total : job.state === "done" ? 100 : 0}
            animated={job.state === "running"}
          />
          <Text size="sm">
            {t("emails.send.progress", { done: fmtNumber(job.done), total: fmtNumber(job.total) })} —{" "}
            {job.message}
          </Text>
          {job.error && (
            <Text size="sm" c="red">
              {job.error}
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}
