import { Anchor, Badge, Button, Group, Select, Stack, Table, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Segments } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorBox, Loading } from "../common";

/** ContactSegments is the contact page's segment tab: stored membership, manual add/remove. */
export function ContactSegments({ contactId }: { contactId: string }) {
  const { t, te } = useI18n();
  const mine = useQuery({
    queryKey: ["segments", "contact", contactId],
    queryFn: () => Segments.OfContact(contactId),
  });
  const all = useQuery({ queryKey: ["segments", false], queryFn: () => Segments.List(false) });
  const [pick, setPick] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>, msg: string) => {
    try {
      await fn();
      notifications.show({ message: msg });
      void mine.refetch();
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  if (mine.error) return <ErrorBox error={mine.error} onRetry={() => void mine.refetch()} />;
  if (!mine.data || !all.data) return <Loading />;
  const inIds = new Set(mine.data.map((s) => s.id));
  return (
    <Stack>
      <Group align="flex-end">
        <Select
          label={t("segments.addToSegment")}
          searchable
          w={320}
          data={all.data.filter((s) => !inIds.has(s.id)).map((s) => ({ value: s.id, label: s.name }))}
          value={pick}
          onChange={setPick}
        />
        <Button
          disabled={!pick}
          onClick={() =>
            pick &&
            void run(() => Segments.AddMembers(pick, [contactId]), t("segments.added")).then(() =>
              setPick(null),
            )
          }
        >
          {t("segments.add")}
        </Button>
      </Group>
      {mine.data.length === 0 && <Text c="dimmed">{t("segments.noneForContact")}</Text>}
      <Table data-testid="contact-segments">
        <Table.Tbody>
          {mine.data.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td>
                <Anchor href={`#/segments/${s.id}`}>{s.name}</Anchor>
              </Table.Td>
              <Table.Td>
                {s.static ? (
                  <Badge color="grape">{t("segments.static")}</Badge>
                ) : (
                  <Badge color="teal">{t("segments.live")}</Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="subtle"
                  color="red"
                  aria-label={t("segments.removeFrom", { name: s.name })}
                  onClick={() =>
                    void run(() => Segments.RemoveMembers(s.id, [contactId]), t("segments.removed"))
                  }
                >
                  {t("segments.remove")}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
