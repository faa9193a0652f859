import {
  Alert,
  Anchor,
  Button,
  Card,
  Checkbox,
  Group,
  List,
  NumberInput,
  PasswordInput,
  Progress,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { type SyncSettings as Settings, Sync } from "../../api";
import { useI18n } from "../../i18n";
import { syncStateKeys, useSyncOverview } from "../../shell/SyncBadge";
import { ErrorBox, Loading } from "../common";
import { SyncProblems } from "./SyncProblems";

/** splitUrls turns the text field into the URL list the backend takes. */
export function splitUrls(s: string): string[] {
  return s
    .split(/[\s,]+/)
    .map((u) => u.trim())
    .filter(Boolean);
}

export function SyncSettings() {
  const { t, te, lang } = useI18n();
  const qc = useQueryClient();
  const saved = useQuery({ queryKey: ["sync", "settings"], queryFn: () => Sync.GetSettings() });
  const ov = useSyncOverview();
  const [form, setForm] = useState<Settings | null>(null);
  const [urls, setUrls] = useState("");
  const [busy, setBusy] = useState("");
  const [test, setTest] = useState<{ ok: boolean; nodes: number; ms: number; msg: string } | null>(null);
  useEffect(() => {
    if (saved.data && !form) {
      setForm({ ...saved.data, password: "" });
      setUrls((saved.data.urls ?? []).join(", "));
    }
  }, [saved.data, form]);
  if (saved.isPending) return <Loading />;
  if (saved.isError) return <ErrorBox error={saved.error} onRetry={() => void saved.refetch()} />;
  if (!form) return <Loading />;
  const current = (): Settings => ({ ...form, urls: splitUrls(urls) });
  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    try {
      await fn();
    } catch (e) {
      notifications.show({ message: te(e), color: "red" });
    } finally {
      setBusy("");
    }
  };
  const onTest = () =>
    run("test", async () => {
      const r = await Sync.Test(current());
      setTest({ ok: r.ok, nodes: r.nodes, ms: r.latencyMs, msg: r.message });
    });
  const onSave = () =>
    run("save", async () => {
      await Sync.Save(current());
      notifications.show({ message: t("settings.saved"), color: "green" });
      setForm({ ...current(), password: "", hasPassword: form.hasPassword || form.password !== "" });
      await qc.invalidateQueries({ queryKey: ["sync"] });
    });
  const st = ov.data?.status;
  const fmt = (ms: number) => (ms ? new Date(ms).toLocaleString(lang) : t("sync.never"));
  return (
    <Stack maw={760}>
      <Title order={2}>{t("sync.title")}</Title>
      <Text c="dimmed">{t("sync.intro")}</Text>
      <Card withBorder>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void onSave();
          }}
        >
          <Stack>
            <TextInput
              label={t("sync.urls")}
              description={t("sync.urlsHint")}
              value={urls}
              onChange={(e) => setUrls(e.currentTarget.value)}
              data-testid="sync-urls"
            />
            <Group grow>
              <TextInput
                label={t("sync.user")}
                value={form.user}
                autoComplete="username"
                onChange={(e) => setForm({ ...form, user: e.currentTarget.value })}
              />
              <PasswordInput
                label={t("sync.password")}
                description={form.hasPassword ? t("sync.passwordKept") : undefined}
                value={form.password}
                autoComplete="current-password"
                onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
              />
            </Group>
            <TextInput
              label={t("sync.caFile")}
              value={form.caFile}
              onChange={(e) => setForm({ ...form, caFile: e.currentTarget.value })}
            />
            <Checkbox
              label={t("sync.insecure")}
              checked={form.insecure}
              onChange={(e) => setForm({ ...form, insecure: e.currentTarget.checked })}
            />
            <NumberInput
              label={t("sync.poll")}
              min={1}
              max={600}
              value={form.pollSeconds || 3}
              onChange={(v) => setForm({ ...form, pollSeconds: Number(v) || 3 })}
              maw={320}
            />
            <Checkbox
              label={t("sync.enabled")}
              checked={form.enabled}
              onChange={(e) => setForm({ ...form, enabled: e.currentTarget.checked })}
              data-testid="sync-enabled"
            />
            {test && (
              <Alert color={test.ok ? "green" : "red"} data-testid="sync-test-result" role="status">
                {test.ok
                  ? t("sync.testOk", { nodes: test.nodes, ms: test.ms })
                  : t("sync.testFail", { msg: test.msg })}
              </Alert>
            )}
            <Group>
              <Button variant="default" onClick={() => void onTest()} loading={busy === "test"}>
                {t("sync.test")}
              </Button>
              <Button type="submit" loading={busy === "save"}>
                {t("common.save")}
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
      {st && (
        <Card withBorder data-testid="sync-status">
          <Title order={3} size="h4" mb="sm">
            {t("sync.status")}
          </Title>
          {st.needsUpgrade && (
            <Alert color="orange" mb="sm">
              {t("sync.upgrade")}
            </Alert>
          )}
          {st.skewWarning && (
            <Alert color="yellow" mb="sm">
              {t("sync.skew", { s: Math.round(st.clockSkewMs / 1000) })}
            </Alert>
          )}
          {st.progressTotal > 0 && (
            <Stack gap={4} mb="sm">
              <Text size="sm">{t("sync.progress", { done: st.progressDone, total: st.progressTotal })}</Text>
              <Progress value={(100 * st.progressDone) / st.progressTotal} />
            </Stack>
          )}
          <Table>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th scope="row">{t("sync.status")}</Table.Th>
                <Table.Td data-testid="sync-state">{t(syncStateKeys[st.state] ?? "sync.badge.off")}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("sync.pending")}</Table.Th>
                <Table.Td data-testid="sync-pending">{st.pending}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("sync.rejected")}</Table.Th>
                <Table.Td>{st.rejected}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("sync.parked")}</Table.Th>
                <Table.Td>{st.parked}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("sync.lastSync")}</Table.Th>
                <Table.Td>{fmt(st.lastSyncMs)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("sync.site")}</Table.Th>
                <Table.Td>
                  <code>{st.siteId}</code>
                </Table.Td>
              </Table.Tr>
              {st.lastError && (
                <Table.Tr>
                  <Table.Th scope="row">{t("sync.lastError")}</Table.Th>
                  <Table.Td data-testid="sync-error">{st.lastError}</Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
          <Group mt="sm">
            <Button
              variant="default"
              loading={busy === "now"}
              onClick={() =>
                void run("now", async () => {
                  await Sync.SyncNow();
                  await qc.invalidateQueries({ queryKey: ["sync"] });
                })
              }
            >
              {t("sync.now")}
            </Button>
            {st.rejected > 0 && (
              <Button
                variant="default"
                onClick={() =>
                  void run("retry", async () => {
                    await Sync.RetryRejected();
                    await qc.invalidateQueries({ queryKey: ["sync"] });
                  })
                }
              >
                {t("sync.retryRejected")}
              </Button>
            )}
          </Group>
        </Card>
      )}
      {st && <SyncProblems rejected={st.rejected} parked={st.parked} />}
      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          {t("sync.feed")}
        </Title>
        {ov.data && (ov.data.feed ?? []).length === 0 && <Text c="dimmed">{t("sync.feedEmpty")}</Text>}
        <List data-testid="sync-feed">
          {(ov.data?.feed ?? []).slice(0, 20).map((f) => (
            <List.Item key={`${f.table}:${f.rowId}:${f.atMs}`}>
              {new Date(f.atMs).toLocaleTimeString(lang)} — {f.table}
              {f.label &&
                (f.table === "contacts" ? (
                  <>
                    {" "}
                    <Anchor href={`#/contacts/${f.rowId}`}>{f.label}</Anchor>
                  </>
                ) : (
                  ` ${f.label}`
                ))}
              : {f.cols.join(", ")}
            </List.Item>
          ))}
        </List>
      </Card>
    </Stack>
  );
}
