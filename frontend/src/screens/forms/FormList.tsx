import { Badge, Button, Group, Stack, Switch, Table, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { on } from "../../api";
import { Forms } from "../../api/forms";
import { useI18n } from "../../i18n";
import { navigate } from "../../router";
import { EmptyState, ErrorBox, Loading } from "../common";

export function FormList() {
  const { t, te, fmtNumber } = useI18n();
  const [trash, setTrash] = useState(false);
  const list = useQuery({ queryKey: ["forms", "list", trash], queryFn: () => Forms.List(trash) });
  const { refetch } = list;
  useEffect(() => {
    const a = on("forms:changed", () => void refetch());
    const b = on("form_results:changed", () => void refetch());
    return () => {
      a();
      b();
    };
  }, [refetch]);
  const restore = async (id: string) => {
    try {
      await Forms.Restore(id);
      void refetch();
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("forms.title")}</Title>
        <Group gap="xs">
          <Switch
            label={t("campaigns.showTrash")}
            checked={trash}
            onChange={(e) => setTrash(e.currentTarget.checked)}
          />
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => navigate("/forms/new")}>
            {t("forms.new")}
          </Button>
        </Group>
      </Group>
      {list.isLoading && <Loading />}
      {list.error && <ErrorBox error={list.error} onRetry={() => void refetch()} />}
      {list.data && list.data.length === 0 && (
        <EmptyState title={t("forms.empty")} hint={t("forms.emptyHint")}>
          {!trash && <Button onClick={() => navigate("/forms/new")}>{t("forms.new")}</Button>}
        </EmptyState>
      )}
      {list.data && list.data.length > 0 && (
        <Table highlightOnHover data-testid="form-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("forms.col.name")}</Table.Th>
              <Table.Th ta="right">{t("forms.col.fields")}</Table.Th>
              <Table.Th ta="right">{t("forms.col.results")}</Table.Th>
              <Table.Th>{t("forms.col.status")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td>
                  {trash ? (
                    <Group gap="xs">
                      {f.name}
                      <Button size="compact-xs" variant="light" onClick={() => void restore(f.id)}>
                        {t("campaigns.restore")}
                      </Button>
                    </Group>
                  ) : (
                    <a href={`#/forms/${f.id}`}>{f.name}</a>
                  )}
                </Table.Td>
                <Table.Td ta="right">{fmtNumber(f.fields.length)}</Table.Td>
                <Table.Td ta="right">
                  <a href={`#/forms/${f.id}?tab=results`}>{fmtNumber(f.results)}</a>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={f.published ? "green" : "gray"}>
                    {t(f.published ? "forms.published" : "forms.unpublished")}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
