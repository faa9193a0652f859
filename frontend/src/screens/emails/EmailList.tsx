import { Badge, Button, Group, Stack, Table, TextInput, Title } from "@mantine/core";
import { IconMail, IconPlus, IconSettings } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { on } from "../../api";
import { Emails } from "../../api/emails";
import { useI18n } from "../../i18n";
import { navigate } from "../../router";
import { EmptyState, ErrorBox, Loading } from "../common";

export function EmailList() {
  const { t, fmtNumber } = useI18n();
  const [search, setSearch] = useState("");
  const list = useQuery({
    queryKey: ["emails", "list", search],
    queryFn: () => Emails.List({ search, kind: "", deleted: false }),
  });
  const { refetch } = list;
  useEffect(() => on("emails:changed", () => void refetch()), [refetch]);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("emails.title")}</Title>
        <Group gap="xs">
          <Button
            variant="default"
            leftSection={<IconSettings size={16} aria-hidden />}
            onClick={() => navigate("/emails/settings")}
          >
            {t("emails.settings.title")}
          </Button>
          <Button
            variant="default"
            leftSection={<IconPlus size={16} aria-hidden />}
            onClick={() => navigate("/emails/new/template")}
          >
            {t("emails.newTemplate")}
          </Button>
          <Button
            leftSection={<IconMail size={16} aria-hidden />}
            onClick={() => navigate("/emails/new/list")}
          >
            {t("emails.newSegment")}
          </Button>
        </Group>
      </Group>
      <TextInput
        aria-label={t("emails.search")}
        placeholder={t("emails.search")}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        maw={360}
      />
      {list.isLoading && <Loading />}
      {list.error && <ErrorBox error={list.error} onRetry={() => void refetch()} />}
      {list.data && list.data.length === 0 && (
        <EmptyState title={t("emails.empty")} hint={t("emails.emptyHint")} />
      )}
      {list.data && list.data.length > 0 && (
        <Table highlightOnHover data-testid="email-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("emails.col.name")}</Table.Th>
              <Table.Th>{t("emails.col.kind")}</Table.Th>
              <Table.Th>{t("emails.col.subject")}</Table.Th>
              <Table.Th ta="right">{t("emails.col.sent")}</Table.Th>
              <Table.Th ta="right">{t("emails.col.read")}</Table.Th>
              <Table.Th ta="right">{t("emails.col.pending")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>
                  <a href={`#/emails/${e.id}`}>{e.name}</a>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={e.kind === "list" ? "blue" : "gray"}>
                    {t(e.kind === "list" ? "emails.kind.list" : "emails.kind.template")}
                  </Badge>
                </Table.Td>
                <Table.Td>{e.subject}</Table.Td>
                <Table.Td ta="right">{fmtNumber(e.sent)}</Table.Td>
                <Table.Td ta="right">{fmtNumber(e.read)}</Table.Td>
                <Table.Td ta="right">{fmtNumber(e.pending)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
