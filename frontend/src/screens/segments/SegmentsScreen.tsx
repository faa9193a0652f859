import { Anchor, Badge, Button, Group, Stack, Switch, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Segments, type SegmentView } from "../../api";
import { useI18n } from "../../i18n";
import { navigate } from "../../router";
import { EmptyState, ErrorBox, Loading } from "../common";

export function SegmentBadge({ s }: { s: SegmentView }) {
  const { t } = useI18n();
  if (!s.published) return <Badge color="gray">{t("segments.inactive")}</Badge>;
  return s.static ? (
    <Badge color="grape">{t("segments.static")}</Badge>
  ) : (
    <Badge color="teal">{t("segments.live")}</Badge>
  );
}

/** The segment list: member counts, last change, live/static badge; the trash on demand. */
export function SegmentsScreen() {
  const { t, te, fmtDate } = useI18n();
  const [trash, setTrash] = useState(false);
  const q = useQuery({ queryKey: ["segments", trash], queryFn: () => Segments.List(trash) });
  const restore = async (id: string) => {
    try {
      await Segments.Restore(id);
      notifications.show({ message: t("segments.restored") });
      void q.refetch();
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{trash ? t("segments.trash") : t("segments.title")}</Title>
        <Group>
          <Switch
            label={t("segments.showTrash")}
            checked={trash}
            onChange={(e) => setTrash(e.currentTarget.checked)}
          />
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => navigate("/segments/new")}>
            {t("segments.new")}
          </Button>
        </Group>
      </Group>
      {q.isLoading && <Loading />}
      {q.error && <ErrorBox error={q.error} onRetry={() => void q.refetch()} />}
      {q.data && q.data.length === 0 && (
        <EmptyState
          title={trash ? t("trash.empty") : t("segments.empty")}
          hint={trash ? undefined : t("segments.emptyHint")}
        >
          {!trash && <Button onClick={() => navigate("/segments/new")}>{t("segments.new")}</Button>}
        </EmptyState>
      )}
      {q.data && q.data.length > 0 && (
        <Table striped highlightOnHover data-testid="segment-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("segments.name")}</Table.Th>
              <Table.Th>{t("segments.members")}</Table.Th>
              <Table.Th>{t("segments.modified")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {q.data.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Anchor href={`#/segments/${s.id}`}>{s.name}</Anchor>
                  {s.description && (
                    <Text size="xs" c="dimmed">
                      {s.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td data-testid="segment-members">{s.members.toLocaleString()}</Table.Td>
                <Table.Td>{fmtDate(s.dateModified)}</Table.Td>
                <Table.Td>
                  {trash ? (
                    <Button size="xs" variant="light" onClick={() => void restore(s.id)}>
                      {t("segments.restore")}
                    </Button>
                  ) : (
                    <SegmentBadge s={s} />
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
