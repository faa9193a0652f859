import { Badge, Button, Table, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { Imports } from "../../api";
import { isKey, useI18n } from "../../i18n";
import type { Key } from "../../i18n/en";

/** displayName drops the upload id prefix ("<uuid>-name.csv"). */
export function displayName(f: string): string {
  return f.replace(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/i, "");
}

export function ImportHistory({ onOpen }: { onOpen: (id: string) => void }) {
  const { t, te, fmtNumber, fmtDate } = useI18n();
  const list = useQuery({ queryKey: ["imports"], queryFn: () => Imports.List(), refetchInterval: 5000 });
  if (!list.data || list.data.length === 0) return null;
  return (
    <>
      <Title order={3} mt="lg">
        {t("import.history")}
      </Title>
      <Table striped data-testid="import-history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("import.file")}</Table.Th>
            <Table.Th>{t("import.status")}</Table.Th>
            <Table.Th ta="right">{t("import.rowsHeader")}</Table.Th>
            <Table.Th>{t("contacts.dateAdded")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.data.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{displayName(r.fileName)}</Table.Td>
              <Table.Td>
                <Badge
                  variant="light"
                  color={r.status === "done" ? "green" : r.status === "failed" ? "red" : "gray"}
                >
                  {isKey(`import.state.${r.status}`) ? t(`import.state.${r.status}` as Key) : r.status}
                </Badge>
              </Table.Td>
              <Table.Td ta="right">{fmtNumber(r.inserted + r.updated)}</Table.Td>
              <Table.Td>{fmtDate(r.createdAt)}</Table.Td>
              <Table.Td>
                {(r.status === "canceled" || r.status === "failed") && (
                  <Button
                    size="xs"
                    variant="light"
                    onClick={() =>
                      void Imports.Resume(r.id).then(onOpen, (e: unknown) =>
                        notifications.show({ color: "red", message: te(e) }),
                      )
                    }
                  >
                    {t("import.resume")}
                  </Button>
                )}{" "}
                <Button size="xs" variant="subtle" onClick={() => onOpen(r.id)}>
                  {t("import.open")}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
