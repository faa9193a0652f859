import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { type ReactNode, useMemo } from "react";
import type { Starter } from "../api/pages";
import { useI18n } from "../i18n";

/** useStarter is the sample content new pages, focus items and dynamic content start with,
 *  in the UI language. */
export function useStarter(): Starter {
  const { t } = useI18n();
  return useMemo(
    () => ({
      hello: t("pages.starter.hello"),
      pageText: t("pages.starter.pageText"),
      translation: t("pages.starter.translation"),
      headline: t("pages.starter.headline"),
      button: t("pages.starter.button"),
      welcome: t("pages.starter.welcome"),
    }),
    [t],
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <Center p="xl" role="status" aria-live="polite">
      <Loader size="sm" aria-hidden />
      <Text ml="sm">{t("app.loading")}</Text>
    </Center>
  );
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t, te } = useI18n();
  return (
    <Alert color="red" title={t("errors.title")} icon={<IconAlertTriangle aria-hidden />} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{te(error)}</Text>
        {onRetry && (
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            {t("common.retry")}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function EmptyState({
  title,
  hint,
  children,
}: {
  title: string;
  hint?: string;
  children?: ReactNode;
}) {
  return (
    <Center p="xl">
      <Stack align="center" gap="sm" maw={520} ta="center">
        <Text fw={600} size="lg">
          {title}
        </Text>
        {hint && <Text c="dimmed">{hint}</Text>}
        {children}
      </Stack>
    </Center>
  );
}
