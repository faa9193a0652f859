import { Button, Card, SegmentedControl, Stack, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { System } from "../api";
import { type Lang, systemLang, translate, useI18n } from "../i18n";
import { usePrefs } from "../prefs";
import { navigate } from "../router";
import { ErrorBox, Loading } from "./common";
import { TeamMembers } from "./TeamMembers";

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function Settings() {
  const { t, te } = useI18n();
  const { prefs, update } = usePrefs();
  const info = useQuery({ queryKey: ["system", "info"], queryFn: () => System.Info() });
  const save = (p: Parameters<typeof update>[0]) =>
    update(p).then(
      // In the language just chosen (this render's t is still the previous one's).
      () => {
        const next = p.language === "" ? systemLang() : (p.language as Lang | undefined);
        notifications.show({
          message: next ? translate(next, "settings.saved") : t("settings.saved"),
          color: "green",
        });
      },
      (e: unknown) => notifications.show({ message: te(e), color: "red" }),
    );
  return (
    <Stack maw={760}>
      <Title order={2}>{t("settings.title")}</Title>
      <Card withBorder>
        <Stack>
          <div>
            <Text fw={600} id="theme-label" mb={4}>
              {t("settings.theme")}
            </Text>
            <SegmentedControl
              aria-labelledby="theme-label"
              value={prefs.theme || "auto"}
              onChange={(v) => void save({ theme: v })}
              data={[
                { value: "light", label: t("theme.light") },
                { value: "dark", label: t("theme.dark") },
                { value: "auto", label: t("theme.auto") },
              ]}
            />
          </div>
          <div>
            <Text fw={600} id="lang-label" mb={4}>
              {t("settings.language")}
            </Text>
            <SegmentedControl
              aria-labelledby="lang-label"
              value={prefs.language || ""}
              onChange={(v) => void save({ language: v })}
              data={[
                { value: "en", label: t("lang.en") },
                { value: "fr", label: t("lang.fr") },
                { value: "", label: t("theme.auto") },
              ]}
            />
          </div>
        </Stack>
      </Card>
      <Card withBorder>
        {info.isPending && <Loading />}
        {info.isError && <ErrorBox error={info.error} onRetry={() => void info.refetch()} />}
        {info.data && (
          <Table data-testid="system-info">
            <Table.Tbody>
              <Table.Tr>
                <Table.Th scope="row">{t("settings.version")}</Table.Th>
                <Table.Td data-testid="version">{info.data.version}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("settings.mode")}</Table.Th>
                <Table.Td>
                  {t(info.data.mode === "desktop" ? "settings.mode.desktop" : "settings.mode.browser")}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("settings.dataDir")}</Table.Th>
                <Table.Td data-testid="data-dir">
                  <code>{info.data.dataDir}</code>
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("settings.database")}</Table.Th>
                <Table.Td>
                  <code>{info.data.dbPath}</code>
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("settings.dbSize")}</Table.Th>
                <Table.Td>{formatBytes(info.data.dbSize)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("settings.schema")}</Table.Th>
                <Table.Td>{info.data.schema}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        )}
        <Button mt="sm" mr="sm" variant="default" onClick={() => navigate("/settings/sync")}>
          {t("sync.open")}
        </Button>
        {info.data?.mode === "desktop" && (
          <Button
            mt="sm"
            variant="default"
            onClick={() =>
              System.OpenDataDir().catch((e: unknown) => notifications.show({ message: te(e), color: "red" }))
            }
          >
            {t("settings.openDataDir")}
          </Button>
        )}
      </Card>
      <TeamMembers />
    </Stack>
  );
}
