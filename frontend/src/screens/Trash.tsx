// The trash: deleted contacts and companies are tombstones until restored; every other
// deleted item (segments, campaigns, emails …) is listed too, and restored where it was.
import { Button, Checkbox, Group, Pagination, Stack, Table, Tabs, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconRestore } from "@tabler/icons-react";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Companies, Contacts, Segments, System, Users } from "../api";
import { Campaigns } from "../api/campaigns";
import { Emails } from "../api/emails";
import { Assets, Forms } from "../api/forms";
import { DWC, Focus, Pages } from "../api/pages";
import { Reports } from "../api/reports";
import { type Key, useI18n } from "../i18n";
import { navItems } from "../shell/Shell";
import { EmptyState, ErrorBox, Loading } from "./common";

const PAGE = 50;

interface Row {
  id: string;
  name: string;
  detail: string;
  deletedAt: string;
}

function TrashTable({ kind }: { kind: "contacts" | "companies" }) {
  const { t, te, fmtDate, fmtNumber } = useI18n();
  const qc = useQueryClient();
  const [page, setPage] = useState(1);
  const [sel, setSel] = useState<Set<string>>(new Set());
  const list = useQuery({
    queryKey: [kind, "trash", page],
    placeholderData: keepPreviousData,
    queryFn: async (): Promise<{ rows: Row[]; total: number }> => {
      const q = {
        search: "",
        sort: kind === "contacts" ? "date_modified" : "name",
        desc: kind === "contacts",
        offset: (page - 1) * PAGE,
        limit: PAGE,
        deleted: true,
      };
      if (kind === "contacts") {
        const p = await Contacts.List({
          ...q,
          columns: ["firstname", "lastname", "email", "company"],
          companyId: "",
        });
        return {
          total: p.total,
          rows: p.rows.map((r) => ({
            id: r.id,
            name: r.name || t("contacts.anonymous"),
            detail: String(r.values?.email ?? ""),
            deletedAt: r.deletedAt,
          })),
        };
      }
      const p = await Companies.List(q);
      return {
        total: p.total,
        rows: p.rows.map((r) => ({
          id: r.id,
          name: r.name,
          detail: String(r.values?.companycity ?? ""),
          deletedAt: r.dateModified,
        })),
      };
    },
  });
  const restore = async () => {
    try {
      const ids = [...sel];
      const n = kind === "contacts" ? await Contacts.Restore(ids) : await Companies.Restore(ids);
      notifications.show({ color: "green", message: t("trash.restored", { n: fmtNumber(n) }) });
      setSel(new Set());
      await qc.invalidateQueries({ queryKey: [kind] });
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorBox error={list.error} onRetry={() => void list.refetch()} />;
  const { rows, total } = list.data;
  if (total === 0) return <EmptyState title={t("trash.empty")} />;
  const allOnPage = rows.length > 0 && rows.every((r) => sel.has(r.id));
  return (
    <Stack>
      <Group justify="space-between">
        <Text>{t("trash.count", { n: fmtNumber(total) })}</Text>
        <Button
          leftSection={<IconRestore size={16} aria-hidden />}
          disabled={sel.size === 0}
          onClick={() => void restore()}
        >
          {t("trash.restore", { n: fmtNumber(sel.size) })}
        </Button>
      </Group>
      <Table striped data-testid={`trash-${kind}`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40}>
              <Checkbox
                aria-label={t("trash.selectPage")}
                checked={allOnPage}
                onChange={() => setSel(allOnPage ? new Set() : new Set(rows.map((r) => r.id)))}
              />
            </Table.Th>
            <Table.Th>{t("contacts.name")}</Table.Th>
            <Table.Th />
            <Table.Th>{t("trash.deletedAt")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>
                <Checkbox
                  aria-label={t("contacts.selectRow", { name: r.name })}
                  checked={sel.has(r.id)}
                  onChange={() =>
                    setSel((s) => {
                      const n = new Set(s);
                      if (n.has(r.id)) n.delete(r.id);
                      else n.add(r.id);
                      return n;
                    })
                  }
                />
              </Table.Td>
              <Table.Td>{r.name}</Table.Td>
              <Table.Td>{r.detail}</Table.Td>
              <Table.Td>{fmtDate(r.deletedAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {total > PAGE && <Pagination total={Math.ceil(total / PAGE)} value={page} onChange={setPage} />}
    </Stack>
  );
}

/** How each kind of item comes back from the trash. */
const restorers: Record<string, (id: string) => Promise<unknown>> = {
  segments: Segments.Restore,
  campaigns: Campaigns.Restore,
  emails: Emails.Restore,
  forms: Forms.Restore,
  pages: Pages.Restore,
  reports: Reports.Restore,
  assets: Assets.Restore,
  dwc: DWC.Restore,
  focus: Focus.Restore,
  users: Users.Restore,
};

/** ItemsTable lists every other kind of deleted item, last deleted first, each restored by
 * its own button. */
function ItemsTable() {
  const { t, te, fmtDate } = useI18n();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["trash", "items"], queryFn: () => System.Trashed(500) });
  const kindLabel = (k: string) => {
    if (k === "users") return t("users.title");
    const n = navItems.find((x) => x.path === `/${k}`);
    return n ? t(n.label as Key) : k;
  };
  const restore = async (kind: string, id: string, name: string) => {
    try {
      await restorers[kind]?.(id);
      notifications.show({ color: "green", message: t("trash.restoredOne", { name }) });
      await qc.invalidateQueries({ queryKey: ["trash", "items"] });
      void qc.invalidateQueries({ queryKey: [kind] });
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorBox error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.length === 0) return <EmptyState title={t("trash.empty")} />;
  return (
    <Table striped data-testid="trash-items">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("trash.kind")}</Table.Th>
          <Table.Th>{t("contacts.name")}</Table.Th>
          <Table.Th>{t("trash.deletedAt")}</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {list.data.map((r) => (
          <Table.Tr key={`${r.kind}:${r.id}`}>
            <Table.Td>{kindLabel(r.kind)}</Table.Td>
            <Table.Td>{r.name}</Table.Td>
            <Table.Td>{fmtDate(r.deletedAt)}</Table.Td>
            <Table.Td>
              <Button
                size="xs"
                variant="light"
                leftSection={<IconRestore size={14} aria-hidden />}
                aria-label={t("trash.restoreOne", { name: r.name })}
                onClick={() => void restore(r.kind, r.id, r.name)}
              >
                {t("common.restore")}
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function Trash() {
  const { t } = useI18n();
  return (
    <Stack>
      <Title order={2}>{t("nav.trash")}</Title>
      <Tabs defaultValue="contacts" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="contacts">{t("nav.contacts")}</Tabs.Tab>
          <Tabs.Tab value="companies">{t("nav.companies")}</Tabs.Tab>
          <Tabs.Tab value="items">{t("trash.items")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="contacts" pt="md">
          <TrashTable kind="contacts" />
        </Tabs.Panel>
        <Tabs.Panel value="companies" pt="md">
          <TrashTable kind="companies" />
        </Tabs.Panel>
        <Tabs.Panel value="items" pt="md">
          <ItemsTable />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
