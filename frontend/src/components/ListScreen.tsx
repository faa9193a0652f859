// ListScreen is the list of a simple domain (landing pages, dynamic web content, focus items,
// reports):
// title and "New" button, a trash toggle, loading/error/empty states and a table whose rows
// link to the editor; in the trash each row gets a Restore button.
import { Button, Group, Stack, Switch, Table, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useI18n } from "../i18n";
import { navigate } from "../router";
import { EmptyState, ErrorBox, Loading } from "../screens/common";

export interface ListColumn<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  align?: "left" | "right";
}

export interface ListScreenProps<T extends { id: string }> {
  title: string;
  newLabel: string;
  /** Route of the "New" button, e.g. "/dwc/new". */
  newPath: string;
  /** Query key root; the list is cached under [root, trash]. */
  queryRoot: string;
  list: (trash: boolean) => Promise<T[]>;
  restore: (id: string) => Promise<unknown>;
  columns: ListColumn<T>[];
  /** Keeps only the rows to show (e.g. pages hide their A/B variants). */
  filter?: (rows: T[]) => T[];
  emptyTitle: string;
  emptyHint?: string;
  /** Offer to create the first one from the empty state. */
  emptyNew?: boolean;
  testId: string;
  /** Shown under the title (a notice). */
  notice?: ReactNode;
  /** Shown under the table, outside the trash. */
  footer?: ReactNode;
}

export function ListScreen<T extends { id: string }>(p: ListScreenProps<T>) {
  const { t, te } = useI18n();
  const client = useQueryClient();
  const [trash, setTrash] = useState(false);
  const list = useQuery({ queryKey: [p.queryRoot, trash], queryFn: () => p.list(trash) });
  const rows = list.data ? (p.filter ? p.filter(list.data) : list.data) : undefined;
  const restore = async (id: string) => {
    try {
      await p.restore(id);
      notifications.show({ message: t("common.restored"), color: "green" });
      void client.invalidateQueries({ queryKey: [p.queryRoot] });
    } catch (e) {
      notifications.show({ message: te(e), color: "red" });
    }
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{p.title}</Title>
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => navigate(p.newPath)}>
          {p.newLabel}
        </Button>
      </Group>
      {p.notice}
      <Switch
        label={t("common.showTrash")}
        checked={trash}
        onChange={(e) => setTrash(e.currentTarget.checked)}
      />
      {list.isLoading && <Loading />}
      {list.error && <ErrorBox error={list.error} onRetry={() => void list.refetch()} />}
      {rows && rows.length === 0 && (
        <EmptyState title={trash ? t("trash.empty") : p.emptyTitle} hint={trash ? undefined : p.emptyHint}>
          {p.emptyNew && !trash && <Button onClick={() => navigate(p.newPath)}>{p.newLabel}</Button>}
        </EmptyState>
      )}
      {rows && rows.length > 0 && (
        <Table highlightOnHover data-testid={p.testId}>
          <Table.Thead>
            <Table.Tr>
              {p.columns.map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: columns are static
                <Table.Th key={i} ta={c.align}>
                  {c.header}
                </Table.Th>
              ))}
              {trash && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.id}>
                {p.columns.map((c, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: columns are static
                  <Table.Td key={i} ta={c.align}>
                    {c.cell(r)}
                  </Table.Td>
                ))}
                {trash && (
                  <Table.Td>
                    <Button size="xs" variant="default" onClick={() => void restore(r.id)}>
                      {t("common.restore")}
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {!trash && p.footer}
    </Stack>
  );
}
