// Builder dialogs: versions (view read-only, restore as draft), simulation, settings.
import { Button, Drawer, Group, Modal, Stack, Switch, Table, Text, Textarea, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Campaigns, type CampaignVersion, type Graph, type SimResult } from "../../api/campaigns";
import { useI18n } from "../../i18n";
import { ErrorBox, Loading } from "../common";
import { fromLocalInput, toLocalInput } from "./EventPanel";
import { events } from "./graph";
import { useLabels } from "./labels";

export function VersionsDrawer({
  id,
  opened,
  onClose,
  onView,
  onRestore,
}: {
  id: string;
  opened: boolean;
  onClose: () => void;
  onView: (v: CampaignVersion) => void;
  onRestore: (v: CampaignVersion) => void;
}) {
  const { t, fmtDate } = useI18n();
  const q = useQuery({
    queryKey: ["campaignVersions", id],
    queryFn: () => Campaigns.Versions(id),
    enabled: opened,
  });
  return (
    <Drawer opened={opened} onClose={onClose} title={t("campaigns.versions")} position="right">
      {q.isLoading && <Loading />}
      {q.error && <ErrorBox error={q.error} onRetry={() => void q.refetch()} />}
      {q.data && q.data.length === 0 && <Text c="dimmed">{t("campaigns.noVersions")}</Text>}
      <Stack gap="xs" data-testid="campaign-versions">
        {(q.data ?? []).map((v) => (
          <Group key={v.version} justify="space-between" wrap="nowrap">
            <div>
              <Text fw={600}>{t("campaigns.versionN", { n: v.version })}</Text>
              <Text size="xs" c="dimmed">
                {v.name} · {fmtDate(v.publishedAt)}
              </Text>
            </div>
            <Group gap={4} wrap="nowrap">
              <Button
                size="xs"
                variant="default"
                aria-label={`${t("campaigns.view")} ${t("campaigns.versionN", { n: v.version })}`}
                onClick={() => onView(v)}
              >
                {t("campaigns.view")}
              </Button>
              <Button size="xs" variant="light" onClick={() => onRestore(v)}>
                {t("campaigns.restoreVersion")}
              </Button>
            </Group>
          </Group>
        ))}
      </Stack>
    </Drawer>
  );
}

function isoDaysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function SimulateModal({
  id,
  graph,
  opened,
  onClose,
  onResult,
}: {
  id: string;
  graph: Graph;
  opened: boolean;
  onClose: () => void;
  onResult: (r: SimResult | null) => void;
}) {
  const { t, te, fmtNumber } = useI18n();
  const { typeLabel } = useLabels();
  const [from, setFrom] = useState(() => isoDaysFromNow(0));
  const [to, setTo] = useState(() => isoDaysFromNow(30));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [res, setRes] = useState<SimResult | null>(null);
  const run = async () => {
    setBusy(true);
    setError("");
    try {
      const r = await Campaigns.Simulate(id, from, to);
      setRes(r);
      onResult(r);
    } catch (e) {
      setError(te(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t("campaigns.simulateTitle")} size="lg">
      <Stack>
        <Text size="sm" c="dimmed">
          {t("campaigns.simulateHint")}
        </Text>
        <Group grow>
          <TextInput
            type="datetime-local"
            label={t("campaigns.from")}
            value={toLocalInput(from)}
            onChange={(e) => setFrom(fromLocalInput(e.currentTarget.value))}
          />
          <TextInput
            type="datetime-local"
            label={t("campaigns.to")}
            value={toLocalInput(to)}
            onChange={(e) => setTo(fromLocalInput(e.currentTarget.value))}
          />
        </Group>
        {error && (
          <Text c="red" role="alert">
            {error}
          </Text>
        )}
        <Group justify="flex-end">
          <Button loading={busy} onClick={() => void run()} disabled={!from || !to}>
            {t("campaigns.run")}
          </Button>
        </Group>
        {res && (
          <Stack gap="xs" data-testid="sim-result">
            <Text fw={600}>{t("campaigns.simContacts", { n: fmtNumber(res.contacts) })}</Text>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("campaigns.eventName")}</Table.Th>
                  <Table.Th>{t("campaigns.sim.done")}</Table.Th>
                  <Table.Th>{t("campaigns.sim.yes")}</Table.Th>
                  <Table.Th>{t("campaigns.sim.no")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {events(graph).map((e) => {
                  const c = res.perEvent?.[e.id];
                  return (
                    <Table.Tr key={e.id}>
                      <Table.Td>{e.name || typeLabel(e.type)}</Table.Td>
                      <Table.Td>{fmtNumber(c?.done ?? 0)}</Table.Td>
                      <Table.Td>{fmtNumber(c?.yes ?? 0)}</Table.Td>
                      <Table.Td>{fmtNumber(c?.no ?? 0)}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Stack>
        )}
      </Stack>
    </Modal>
  );
}

export interface Meta {
  name: string;
  description: string;
  category: string;
  allowRestart: boolean;
}

export function SettingsModal({
  meta,
  opened,
  readOnly,
  onClose,
  onChange,
}: {
  meta: Meta;
  opened: boolean;
  readOnly: boolean;
  onClose: () => void;
  onChange: (m: Meta) => void;
}) {
  const { t } = useI18n();
  return (
    <Modal opened={opened} onClose={onClose} title={t("campaigns.settings")}>
      <Stack>
        <TextInput
          label={t("campaigns.name")}
          required
          readOnly={readOnly}
          value={meta.name}
          onChange={(e) => onChange({ ...meta, name: e.currentTarget.value })}
        />
        <Textarea
          label={t("campaigns.description")}
          readOnly={readOnly}
          value={meta.description}
          onChange={(e) => onChange({ ...meta, description: e.currentTarget.value })}
        />
        <TextInput
          label={t("campaigns.category")}
          readOnly={readOnly}
          value={meta.category}
          onChange={(e) => onChange({ ...meta, category: e.currentTarget.value })}
        />
        <Switch
          label={t("campaigns.allowRestart")}
          disabled={readOnly}
          checked={meta.allowRestart}
          onChange={(e) => onChange({ ...meta, allowRestart: e.currentTarget.checked })}
        />
        <Group justify="flex-end">
          <Button onClick={onClose}>{t("campaigns.close")}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
