// The team's members: the owners contacts are assigned to (Mautic's users). Added, renamed
// and moved to the trash here; the trash screen brings them back.
import { ActionIcon, Button, Card, Group, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, type User, Users } from "../api";
import { type Key, useI18n } from "../i18n";

/** useTeam lists the live members (owner pickers share it). */
export function useTeam() {
  return useQuery({ queryKey: ["users", false], queryFn: () => Users.List(false), staleTime: 30_000 });
}

export function TeamMembers() {
  const { t, te } = useI18n();
  const qc = useQueryClient();
  const team = useTeam();
  const [draft, setDraft] = useState<User>({ id: "", name: "", email: "" });
  const [errs, setErrs] = useState<Record<string, string>>({});
  const refresh = () => qc.invalidateQueries({ queryKey: ["users"] });
  const save = async () => {
    try {
      await Users.Save(draft);
      setDraft({ id: "", name: "", email: "" });
      setErrs({});
      notifications.show({ color: "green", message: t("users.saved") });
      await refresh();
    } catch (e) {
      setErrs(e instanceof ApiError ? e.fields : {});
      notifications.show({ color: "red", message: te(e) });
    }
  };
  const remove = async (u: User) => {
    try {
      await Users.Delete(u.id);
      notifications.show({ message: t("users.trashed", { name: u.name }) });
      await refresh();
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  const fe = (f: string) => (errs[f] ? t(errs[f] as Key) : undefined);
  return (
    <Card withBorder data-testid="team-members">
      <Title order={3} size="h4">
        {t("users.title")}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t("users.hint")}
      </Text>
      {(team.data ?? []).length > 0 && (
        <Table mb="sm">
          <Table.Tbody>
            {(team.data ?? []).map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>{u.name}</Table.Td>
                <Table.Td>{u.email}</Table.Td>
                <Table.Td w={40}>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    aria-label={t("users.remove", { name: u.name })}
                    onClick={() => void remove(u)}
                  >
                    <IconTrash size={16} aria-hidden />
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        noValidate
      >
        <Group align="flex-start">
          <TextInput
            label={t("users.name")}
            value={draft.name}
            error={fe("name")}
            onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
          />
          <TextInput
            label={t("users.email")}
            value={draft.email}
            error={fe("email")}
            onChange={(e) => setDraft({ ...draft, email: e.currentTarget.value })}
          />
          <Button type="submit" mt={25}>
            {t("users.add")}
          </Button>
        </Group>
      </form>
    </Card>
  );
}
