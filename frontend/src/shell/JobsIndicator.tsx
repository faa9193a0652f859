// The shell's jobs indicator: every job running in the app (imports, exports, demo data,
// sends…) with its progress and Cancel, reachable from any screen.
import {
  ActionIcon,
  Badge,
  Group,
  Indicator,
  Popover,
  RingProgress,
  Stack,
  Text,
  Tooltip,
} from "@mantine/core";
import { IconChecks } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import { type JobStatus, Jobs, on } from "../api";
import { useI18n } from "../i18n";
import { JobProgress } from "../screens/jobs/JobProgress";
import { displayTitle, type Live, liveMerge, livePercent, livePrune } from "./jobsLive";

/** how long a finished job stays in the list (ms). */
const KEEP_MS = 8000;

export function JobsIndicator() {
  const { t } = useI18n();
  const [live, setLive] = useState<Live>({});
  const [open, setOpen] = useState(false);

  useEffect(() => {
    let stopped = false;
    const take = (d: unknown) => {
      if (stopped || !d || typeof d !== "object") return;
      setLive((cur) => liveMerge(cur, d as JobStatus, Date.now()));
    };
    const offs = [on("job:progress", take), on("job:done", take)];
    // A poll catches jobs started before we subscribed and events a reconnect lost.
    const poll = async () => {
      try {
        const running = await Jobs.Live();
        if (stopped) return;
        setLive((cur) => {
          let next = cur;
          for (const s of running) next = liveMerge(next, s, Date.now());
          return livePrune(
            next,
            running.map((s) => s.id),
            Date.now(),
            KEEP_MS,
          );
        });
      } catch {
        // the next poll retries
      }
    };
    void poll();
    const timer = setInterval(poll, 2000);
    return () => {
      stopped = true;
      clearInterval(timer);
      for (const off of offs) off();
    };
  }, []);

  const jobs = Object.values(live).map((l) => l.status);
  const running = jobs.filter((s) => s.state === "running");
  const pct = livePercent(running);
  const label =
    running.length > 0
      ? `${t("ui.jobs.button")}: ${t("ui.jobs.running", { n: running.length })}`
      : t("ui.jobs.button");

  return (
    <Popover opened={open} onChange={setOpen} position="bottom-end" width={380} shadow="md" trapFocus>
      <Popover.Target>
        <Tooltip label={label} disabled={open}>
          <Indicator
            label={running.length}
            size={16}
            disabled={running.length === 0}
            offset={4}
            data-testid="jobs-indicator"
            data-running={running.length}
          >
            <ActionIcon
              variant="default"
              size="lg"
              aria-label={label}
              aria-haspopup="dialog"
              aria-expanded={open}
              onClick={() => setOpen((o) => !o)}
            >
              {running.length > 0 ? (
                <RingProgress
                  size={26}
                  thickness={3}
                  roundCaps
                  sections={[{ value: pct ?? 25, color: "blue" }]}
                  aria-hidden
                />
              ) : (
                <IconChecks size={18} aria-hidden />
              )}
            </ActionIcon>
          </Indicator>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown aria-label={t("ui.jobs.title")} role="dialog" data-testid="jobs-popover">
        <Stack gap="sm">
          <Text fw={600}>{t("ui.jobs.title")}</Text>
          {jobs.length === 0 && (
            <Text size="sm" c="dimmed">
              {t("ui.jobs.none")}
            </Text>
          )}
          {jobs.map((s) => (
            <Stack key={s.id} gap={4} data-testid="jobs-item">
              <Group justify="space-between" wrap="nowrap">
                <Text size="sm" fw={500} truncate>
                  {displayTitle(s.title)}
                </Text>
                {s.state !== "running" && (
                  <Badge size="xs" variant="light" color={s.state === "failed" ? "red" : "gray"}>
                    {t("ui.jobs.finished")}
                  </Badge>
                )}
              </Group>
              <JobProgress
                status={s}
                unit={
                  s.kind === "import" || s.kind.endsWith("export") ? t("ui.jobs.rows") : t("ui.jobs.items")
                }
              />
            </Stack>
          ))}
          <Text size="xs" c="dimmed">
            {t("ui.jobs.history")}
          </Text>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
