// "Load demo data": generated contacts, companies and a timeline, in the background with
// progress and cancel.
import { Button, Card, Group, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { System } from "../api";
import { useI18n } from "../i18n";
import { navigate } from "../router";
import { JobProgress } from "./jobs/JobProgress";
import { useJob } from "./jobs/useJob";

const sizes = ["1000", "10000", "100000", "1000000"];

export function DemoLoader() {
  const { t, te, fmtNumber } = useI18n();
  const qc = useQueryClient();
  const [size, setSize] = useState("10000");
  const [job, setJob] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const status = useJob(job);
  const start = async () => {
    setStarting(true);
    try {
      setJob(await System.LoadDemo(Number(size)));
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    } finally {
      setStarting(false);
    }
  };
  const done = status?.state === "done";
  return (
    <Card withBorder padding="lg" data-testid="demo-loader">
      <Stack>
        <Title order={3}>{t("demo.title")}</Title>
        <Text c="dimmed">{t("demo.hint")}</Text>
        {!job && (
          <>
            <div>
              <Text fw={600} id="demo-size" mb={4}>
                {t("demo.size")}
              </Text>
              <SegmentedControl
                aria-labelledby="demo-size"
                value={size}
                onChange={setSize}
                data={sizes.map((s) => ({ value: s, label: fmtNumber(Number(s)) }))}
              />
            </div>
            <Group>
              <Button onClick={() => void start()} loading={starting}>
                {t("home.loadDemo")}
              </Button>
            </Group>
          </>
        )}
        {job && <JobProgress status={status} unit={t("demo.unit")} />}
        {done && (
          <Group>
            <Button
              onClick={() => {
                void qc.invalidateQueries();
                navigate("/contacts");
              }}
            >
              {t("home.browseContacts")}
            </Button>
          </Group>
        )}
        {(status?.state === "canceled" || status?.state === "failed") && (
          <Group>
            <Button variant="default" onClick={() => setJob(null)}>
              {t("common.retry")}
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}
