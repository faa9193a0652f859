import { Button, Card, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";
import { System } from "../api";
import { useI18n } from "../i18n";
import { navigate } from "../router";
import { EmptyState, ErrorBox, Loading } from "./common";
import { DemoLoader } from "./Demo";

// The board (and echarts) load after the home screen, keeping the first bundle small.
const Board = lazy(() => import("./dashboard/Dashboard").then((m) => ({ default: m.Board })));

export function Home() {
  const { t, fmtNumber } = useI18n();
  const info = useQuery({ queryKey: ["system", "info"], queryFn: () => System.Info() });
  // Once the database was seen empty, keep the welcome screen (and a running demo load)
  // while rows arrive.
  const [welcome, setWelcome] = useState<boolean | null>(null);
  const empty = info.data ? info.data.contacts === 0 && info.data.companies === 0 : null;
  useEffect(() => {
    if (welcome === null && empty !== null) setWelcome(empty);
  }, [welcome, empty]);
  if (info.isPending) return <Loading />;
  if (info.isError) return <ErrorBox error={info.error} onRetry={() => void info.refetch()} />;
  const d = info.data;
  return (
    <Stack>
      <Title order={2}>{t("home.title")}</Title>
      {welcome || empty ? (
        <Stack>
          {empty && (
            <Card withBorder padding="xl" data-testid="welcome-empty">
              <EmptyState title={t("home.empty")} hint={t("home.emptyHint")}>
                <Button variant="default" onClick={() => navigate("/import")}>
                  {t("home.import")}
                </Button>
              </EmptyState>
            </Card>
          )}
          <DemoLoader />
        </Stack>
      ) : (
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Card withBorder>
              <Text size="xl" fw={700} data-testid="home-contacts">
                {t("home.contacts", { n: fmtNumber(d.contacts) })}
              </Text>
              <Button mt="sm" variant="light" onClick={() => navigate("/contacts")}>
                {t("home.browseContacts")}
              </Button>
            </Card>
            <Card withBorder>
              <Text size="xl" fw={700}>
                {t("home.companies", { n: fmtNumber(d.companies) })}
              </Text>
            </Card>
          </SimpleGrid>
          <Suspense fallback={<Loading />}>
            <Board />
          </Suspense>
        </Stack>
      )}
    </Stack>
  );
}
