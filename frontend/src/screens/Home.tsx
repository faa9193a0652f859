import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { System } from "../api";
import { useI18n } from "../i18n";
import { navigate } from "../router";
import { EmptyState, ErrorBox, Loading } from "./common";

export function Home() {
  const { t, fmtNumber } = useI18n();
  const info = useQuery({ queryKey: ["system", "info"], queryFn: () => System.Info() });
  if (info.isPending) return <Loading />;
  if (info.isError) return <ErrorBox error={info.error} onRetry={() => void info.refetch()} />;
  const d = info.data;
  return (
    <Stack>
      <Title order={2}>{t("home.title")}</Title>
      {d.contacts === 0 && d.companies === 0 ? (
        <Card withBorder padding="xl" data-testid="welcome-empty">
          <EmptyState title={t("home.empty")} hint={t("home.emptyHint")}>
            <Group>
              <Button onClick={() => navigate("/welcome/demo")}>{t("home.loadDemo")}</Button>
              <Button variant="default" onClick={() => navigate("/import")}>
                {t("home.import")}
              </Button>
            </Group>
          </EmptyState>
        </Card>
      ) : (
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
      )}
    </Stack>
  );
}
