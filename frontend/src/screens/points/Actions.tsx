// #/points: the point actions list; the editor opens in a dialog.
import { Badge, Button, Group, Stack, Table, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { blankAction, type PointAction, Points } from "../../api/points";
import { type Key, useI18n } from "../../i18n";
import { EmptyState, ErrorBox, Loading } from "../common";
import { ActionEditor } from "./ActionEditor";
import { PointsHeader, signed } from "./shared";
import { actionSummary } from "./summary";

export function ActionsScreen() {
  const { t, te, fmtDate } = useI18n();
  const [trash, setTrash] = useState(false);
  const [editing, setEditing] = useState<PointAction | null>(null);
  const q = useQuery({ queryKey: ["pointActions", trash], queryFn: () => Points.Actions(trash) });
  const run = async (p: Promise<unknown>, msg: Key) => {
    try {
      await p;
      notifications.show({ message: t(msg) });
      void q.refetch();
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  return (
    <Stack>
      <PointsHeader current="/points" title={t("points.actions.title")} trash={trash} onTrash={setTrash}>
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing(blankAction())}>
          {t("points.actions.new")}
        </Button>
      </PointsHeader>
      {q.isLoading && <Loading />}
      {q.error && <ErrorBox error={q.error} onRetry={() => void q.refetch()} />}
      {q.data?.length === 0 && !trash && (
        <EmptyState title={t("points.actions.empty")} hint={t("points.actions.emptyHint")}>
          <Button onClick={() => setEditing(blankAction())}>{t("points.actions.new")}</Button>
        </EmptyState>
      )}
      {q.data && q.data.length > 0 && (
        <Table striped highlightOnHover data-testid="point-actions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("points.name")}</Table.Th>
              <Table.Th>{t("points.type")}</Table.Th>
              <Table.Th>{t("points.delta")}</Table.Th>
              <Table.Th>{t("points.applied")}</Table.Th>
              <Table.Th>{t("points.modified")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {q.data.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>
                  <Text fw={500}>{a.name}</Text>
                  <Text size="xs" c="dimmed">
                    {actionSummary(a, t)}
                  </Text>
                </Table.Td>
                <Table.Td>{t(`points.type.${a.type}` as Key)}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge color={a.delta > 0 ? "teal" : "red"} variant="light">
                      {signed(a.delta)}
                    </Badge>
                    {a.groupName && <Badge variant="outline">{a.groupName}</Badge>}
                    {a.repeatable && <Badge color="gray">{t("points.repeatable")}</Badge>}
                    {!a.published && <Badge color="gray">{t("points.unpublished")}</Badge>}
                  </Group>
                </Table.Td>
                <Table.Td>{a.contacts.toLocaleString()}</Table.Td>
                <Table.Td>{fmtDate(a.dateModified)}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    {trash ? (
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => void run(Points.RestoreAction(a.id), "points.restored")}
                      >
                        {t("points.restore")}
                      </Button>
                    ) : (
                      <>
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => setEditing(a)}
                          aria-label={t("points.editNamed", { name: a.name })}
                        >
                          {t("common.edit")}
                        </Button>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          onClick={() => void run(Points.DeleteAction(a.id), "points.deleted")}
                          aria-label={t("points.deleteNamed", { name: a.name })}
                        >
                          {t("common.delete")}
                        </Button>
                      </>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {editing && (
        <ActionEditor
          action={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            notifications.show({ color: "green", message: t("points.saved") });
            void q.refetch();
          }}
        />
      )}
    </Stack>
  );
}
