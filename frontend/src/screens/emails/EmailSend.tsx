import { Alert, Button, Group, Progress, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconSend, IconUsers } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { type JobStatus, Jobs } from "../../api";
import { type EmailCounts, type EmailDryRun, Emails, type EmailView } from "../../api/emails";
import { jobErrorText } from "../jobs/JobProgress";
import { issueText, useEmailI18n } from "./errors";

/** EmailSend: count the recipients, send a segment email and follow the job's progress. */
export function EmailSend({ draft }: { draft: EmailView }) {
  const { t, te, fmtNumber, lang } = useEmailI18n();
  const qc = useQueryClient();
  const [dry, setDry] = useState<EmailDryRun | null>(null);
  const [jobId, setJobId] = useState("");
  const [job, setJob] = useState<JobStatus | null>(null);
  const [counts, setCounts] = useState<EmailCounts | null>(null);
  const [held, setHeld] = useState(0);
  const [error, setError] = useState<unknown>(null);
  // Follow the send by polling the job and the email's counters (events can be missed by a
  // screen that subscribed after a small send finished).
  useEffect(() => {
    if (!jobId) return;
    let stop = false;
    const tick = async () => {
      try {
        const [j, st] = await Promise.all([Jobs.Get(jobId), Emails.Stats(draft.id)]);
        if (stop) return;
        setJob(j);
        setCounts(st.totals);
        setHeld(st.ab?.held ?? 0);
        if (j.state === "running") setTimeout(tick, 700);
        else if ((st.ab?.held ?? 0) > 0)
          setTimeout(tick, 3000); // the A/B winner goes out later
        else qc.invalidateQueries({ queryKey: ["emails"] });
      } catch (e) {
        if (!stop) setError(e);
      }
    };
    void tick();
    return () => {
      stop = true;
    };
  }, [jobId, draft.id, qc]);
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
  const processed = counts ? counts.sent + counts.failed + counts.skipped : 0;
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
          {dry.category > 0 && (
            <Text size="sm">
              {t("emails.send.dryCategory", { n: fmtNumber(dry.category), category: draft.category })}
            </Text>
          )}
          {dry.issues.map((i) => (
            <Text key={`${i.code}:${i.detail}`} size="sm" c={i.severity === "error" ? "red" : "orange"}>
              {issueText(lang, i)}
            </Text>
          ))}
        </Stack>
      )}
      {job && counts && (
        <Stack gap={4} data-testid="send-progress">
          <Progress
            value={counts.queued ? (100 * processed) / counts.queued : 0}
            animated={job.state === "running"}
          />
          <Text size="sm">
            {t("emails.send.progress", { done: fmtNumber(processed), total: fmtNumber(counts.queued) })} —{" "}
            {t("emails.send.counts", { sent: counts.sent, failed: counts.failed, skipped: counts.skipped })}
          </Text>
          {held > 0 && (
            <Text size="sm" c="dimmed" data-testid="send-held">
              {t("emails.ab.held", { n: fmtNumber(held) })}
            </Text>
          )}
          {job.error && (
            <Text size="sm" c="red">
              {jobErrorText(lang, job)}
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}
