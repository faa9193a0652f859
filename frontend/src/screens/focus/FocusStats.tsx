import { Card, Group, SimpleGrid, Stack, Text, Title, useComputedColorScheme } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Focus } from "../../api/pages";
import { EChart } from "../../charts/EChart";
import { useI18n } from "../../i18n";
import { ErrorBox, Loading } from "../common";

/** FocusStatsCard shows an item's views and conversions (tracker counts) and a daily chart. */
export function FocusStatsCard({ id }: { id: string }) {
  const { t, fmtNumber } = useI18n();
  const dark = useComputedColorScheme("light") === "dark";
  const q = useQuery({ queryKey: ["focus", "stats", id], queryFn: () => Focus.Stats(id, 30) });
  if (q.error) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <Loading />;
  const s = q.data;
  const figures: [string, string][] = [
    [t("focus.stats.views"), fmtNumber(s.views)],
    [t("focus.stats.uniqueViews"), fmtNumber(s.uniqueViews)],
    [t("focus.stats.conversions"), fmtNumber(s.conversions)],
    [t("focus.stats.uniqueConversions"), fmtNumber(s.uniqueConversions)],
    [t("focus.stats.rate"), `${fmtNumber(Math.round(s.rate * 1000) / 10)} %`],
  ];
  return (
    <Card withBorder data-testid="focus-stats">
      <Stack gap="xs">
        <Title order={4}>{t("focus.stats.title")}</Title>
        <SimpleGrid cols={{ base: 2, sm: 5 }}>
          {figures.map(([label, value]) => (
            <Group key={label} gap={4} wrap="nowrap" align="baseline">
              <Stack gap={0}>
                <Text size="xl" fw={700}>
                  {value}
                </Text>
                <Text size="xs" c="dimmed">
                  {label}
                </Text>
              </Stack>
            </Group>
          ))}
        </SimpleGrid>
        {s.views === 0 ? (
          <Text c="dimmed" size="sm">
            {t("focus.stats.none")}
          </Text>
        ) : (
          <EChart option={s.chart} label={t("focus.stats.chart")} dark={dark} height={220} />
        )}
      </Stack>
    </Card>
  );
}
