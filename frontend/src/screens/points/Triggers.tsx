// #/points/triggers: at N points (main or a group) do things once per contact.
import { Badge, Button, ColorSwatch, Group, Stack, Table, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { blankTrigger, Points, type PointTrigger } from "../../api/points";
import { type Key, useI18n } from "../../i18n";
import { EmptyState, ErrorBox, Loading } from "../common";
import { PointsHeader } from "./shared";
import { TriggerEditor } from "./TriggerEditor";

export function TriggersScreen() {
  const { t, te } = useI18n();
  const [trash, setTrash] = useState(false);
  const [editing, setEditing] = useState<PointTrigger | null>(null);
  const q = useQuery({ queryKey: ["pointTriggers", trash], queryFn: () => Points.Triggers(trash) });
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
      <PointsHeader
        current="/points/triggers"
        title={t("points.triggers.title")}
        trash={trash}
        onTrash={setTrash}
      >
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing(blankTrigger())}>
          {t("points.triggers.new")}
        </Button>
      </PointsHeader>
      {q.isLoading && <Loading />}
      {q.error && <ErrorBox error={q.error} onRetry={() => void q.refetch()} />}
      {q.data?.length === 0 && !trash && (
        <EmptyState title={t("points.triggers.empty")} hint={t("points.triggers.emptyHint")}>
          <Button onClick={() => setEditing(blankTrigger())}>{t("points.triggers.new")}</Button>
        </EmptyState>
      )}
      {q.data && q.data.length > 0 && (
        <Table striped highlightOnHover data-testid="point-triggers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("points.name")}</Table.Th>
              <Table.Th>{t("points.threshold")}</Table.Th>
              <Table.Th>{t("points.triggers.events")}</Table.Th>
              <Table.Th>{t("points.fired")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {q.data.map((x) => (
              <Table.Tr key={x.id}>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    {x.color && <ColorSwatch color={x.color} size={14} aria-hidden />}
                    <Text fw={500}>{x.name}</Text>
                    {!x.published && <Badge color="gray">{t("points.unpublished")}</Badge>}
                  </Group>
                </Table.Td>
                <Table.Td>
                  {x.points} {x.groupName ? `(${x.groupName})` : ""}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {x.events.map((e) => (
                      <Badge key={e.id} variant="light">
                        {t(`points.event.${e.type}` as Key)}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>{x.fired.toLocaleString()}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    {trash ? (
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => void run(Points.RestoreTrigger(x.id), "points.restored")}
                      >
                        {t("points.restore")}
                      </Button>
                    ) : (
                      <>
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => setEditing(x)}
                          aria-label={t("points.editNamed", { name: x.name })}
                        >
                          {t("common.edit")}
                        </Button>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          onClick={() => void run(Points.DeleteTrigger(x.id), "points.deleted")}
                          aria-label={t("points.deleteNamed", { name: x.name })}
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
        <TriggerEditor
          trigger={editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            notifications.show({
              color: "green",
              message: saved.jobId ? t("points.triggers.savedExisting") : t("points.saved"),
            });
            void q.refetch();
          }}
        />
      )}
    </Stack>
  );
}
