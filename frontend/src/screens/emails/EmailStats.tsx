import { Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { on } from "../../api";
import { type EmailStats, Emails } from "../../api/emails";
import { useI18n } from "../../i18n";
import { EmptyState, ErrorBox, Loading } from "../common";

/** BarChart draws grouped bars in SVG (no chart library needed offline). */
export function BarChart({
  labels,
  series,
  title,
}: {
  labels: string[];
  series: { name: string; color: string; values: number[] }[];
  title: string;
}) {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const w = 640;
  const h = 140;
  const group = Math.min(90, w / Math.max(1, labels.length));
  const bar = Math.min(28, (group - 8) / series.length);
  return (
    <svg viewBox={`0 0 ${w} ${h + 24}`} width="100%" role="img" aria-label={title}>
      {labels.map((l, i) => (
        <g key={l} transform={`translate(${i * group + 4},0)`}>
          {series.map((s, j) => {
            const v = s.values[i] ?? 0;
            const bh = (v / max) * (h - 16);
            return (
              <rect key={s.name} x={j * bar} y={h - bh} width={bar - 2} height={bh} fill={s.color}>
                <title>{`${l} ${s.name}: ${v}`}</title>
              </rect>
            );
          })}
          <text x={0} y={h + 16} fontSize={11} fill="currentColor">
            {l}
          </text>
        </g>
      ))}
    </svg>
  );
}

function pct(n: number) {
  return `${(100 * n).toFixed(1)} %`;
}

export function EmailStatsView({ id }: { id: string }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ["emails", "stats", id],
    queryFn: () => Emails.Stats(id),
    refetchInterval: 5000,
  });
  const { refetch } = q;
  useEffect(() => on("event:changed", () => void refetch()), [refetch]);
  if (q.isLoading) return <Loading />;
  if (q.error) return <ErrorBox error={q.error} onRetry={() => void refetch()} />;
  const st = q.data as EmailStats;
  if (st.totals.queued === 0 && st.totals.sent === 0) return <EmptyState title={t("emails.stats.none")} />;
  return <StatsBody st={st} />;
}

function StatsBody({ st }: { st: EmailStats }) {
  const { t, fmtNumber } = useI18n();
  const c = st.totals;
  const tiles: [string, string][] = [
    [t("emails.stats.sent"), fmtNumber(c.sent)],
    [t("emails.stats.read"), `${fmtNumber(c.read)} (${pct(c.readRate)})`],
    [t("emails.stats.clicked"), `${fmtNumber(c.clicked)} (${pct(c.clickRate)})`],
    [t("emails.stats.pending"), fmtNumber(c.pending)],
    [t("emails.stats.failed"), fmtNumber(c.failed)],
    [t("emails.stats.bounced"), fmtNumber(c.bounced)],
    [t("emails.stats.unsubscribed"), fmtNumber(c.unsubscribed)],
    [t("emails.stats.skipped"), fmtNumber(c.skipped)],
  ];
  if (c.skippedCategory > 0) tiles.push([t("emails.stats.skippedCategory"), fmtNumber(c.skippedCategory)]);
  return (
    <Stack data-testid="email-stats">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {tiles.map(([label, value]) => (
          <Card withBorder key={label} padding="sm">
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text fw={700} size="xl">
              {value}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      <Card withBorder>
        <Title order={4}>{t("emails.stats.byDay")}</Title>
        <BarChart
          title={t("emails.stats.byDay")}
          labels={st.byDay.map((d) => d.day.slice(5))}
          series={[
            { name: t("emails.stats.sent"), color: "#228be6", values: st.byDay.map((d) => d.sent) },
            { name: t("emails.stats.read"), color: "#40c057", values: st.byDay.map((d) => d.read) },
            { name: t("emails.stats.clicked"), color: "#fab005", values: st.byDay.map((d) => d.clicked) },
          ]}
        />
      </Card>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={4}>{t("emails.stats.byDevice")}</Title>
          <BarChart
            title={t("emails.stats.byDevice")}
            labels={st.byDevice.map((d) => d.device)}
            series={[
              { name: t("emails.stats.read"), color: "#40c057", values: st.byDevice.map((d) => d.read) },
              {
                name: t("emails.stats.clicked"),
                color: "#fab005",
                values: st.byDevice.map((d) => d.clicked),
              },
            ]}
          />
        </Card>
        <Card withBorder>
          <Title order={4}>{t("emails.stats.links")}</Title>
          <Table>
            <Table.Tbody>
              {st.links.map((l) => (
                <Table.Tr key={l.url}>
                  <Table.Td style={{ wordBreak: "break-all" }}>{l.url}</Table.Td>
                  <Table.Td ta="right">{fmtNumber(l.clicks)}</Table.Td>
                  <Table.Td ta="right">{fmtNumber(l.unique)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      </SimpleGrid>
      {st.variants.length > 1 && (
        <Card withBorder data-testid="email-ab">
          <Title order={4}>{t("emails.stats.variants")}</Title>
          {st.ab && <ABSummary ab={st.ab} />}
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("emails.ab.email")}</Table.Th>
                <Table.Th>{t("emails.ab.kind")}</Table.Th>
                <Table.Th ta="right">{t("emails.stats.sent")}</Table.Th>
                <Table.Th ta="right">{t("emails.ab.openRate")}</Table.Th>
                <Table.Th ta="right">{t("emails.ab.clickRate")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {st.variants.map((v) => (
                <Table.Tr key={v.id}>
                  <Table.Td>
                    <Group gap="xs">
                      {v.name}
                      {v.winner && <Badge color="green">{t("emails.stats.winner")}</Badge>}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {t(
                      v.kind === "variant"
                        ? "emails.ab.variant"
                        : v.kind === "translation"
                          ? "emails.ab.translation"
                          : "emails.ab.parent",
                    )}
                  </Table.Td>
                  <Table.Td ta="right">{fmtNumber(v.counts.sent)}</Table.Td>
                  <Table.Td ta="right">{pct(v.counts.readRate)}</Table.Td>
                  <Table.Td ta="right">{pct(v.counts.clickRate)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
    </Stack>
  );
}

/** ABSummary says how the A/B winner is chosen, when, and who waits for it. */
function ABSummary({ ab }: { ab: NonNullable<EmailStats["ab"]> }) {
  const { t, fmtNumber, lang } = useI18n();
  const criteria = t(
    ab.criteria === "click_rate" ? "emails.ab.clickRate" : "emails.ab.openRate",
  ).toLowerCase();
  const when = (v: unknown) => new Date(String(v)).toLocaleString(lang);
  return (
    <Stack gap={4} my="xs">
      <Text size="sm" data-testid="email-ab-state">
        {ab.decidedAt
          ? t("emails.ab.decidedAt", { criteria, at: when(ab.decidedAt) })
          : ab.decidesAt
            ? t("emails.ab.decidesAt", { criteria, at: when(ab.decidesAt) })
            : t("emails.ab.notStarted")}
      </Text>
      {ab.held > 0 && (
        <Text size="sm" c="dimmed">
          {t("emails.ab.held", { n: fmtNumber(ab.held) })}
        </Text>
      )}
    </Stack>
  );
}
