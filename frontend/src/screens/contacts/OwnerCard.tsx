// The contact page's owner: the team member the contact is assigned to, changed in place.
import { Card, Select, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { Contacts } from "../../api";
import { useI18n } from "../../i18n";
import { useTeam } from "../TeamMembers";

export function OwnerCard({ contactId, ownerId }: { contactId: string; ownerId: string }) {
  const { t, te } = useI18n();
  const qc = useQueryClient();
  const team = useTeam();
  const data = (team.data ?? []).map((u) => ({
    value: u.id,
    label: u.email ? `${u.name} <${u.email}>` : u.name,
  }));
  if (ownerId && !data.some((d) => d.value === ownerId)) data.unshift({ value: ownerId, label: ownerId }); // in the trash
  const change = async (v: string | null) => {
    try {
      await Contacts.SetOwner({ ids: [contactId], all: false, search: "" }, v ?? "");
      notifications.show({ color: "green", message: t("contacts.ownerSet") });
      await qc.invalidateQueries({ queryKey: ["contact", contactId] });
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  return (
    <Card withBorder>
      <Text size="xs" c="dimmed" id="contact-owner-label">
        {t("contacts.owner")}
      </Text>
      <Select
        aria-labelledby="contact-owner-label"
        data-testid="contact-owner"
        variant="unstyled"
        fw={600}
        placeholder={t("contacts.noOwner")}
        nothingFoundMessage={t("users.hint")}
        searchable
        clearable
        data={data}
        value={ownerId || null}
        onChange={(v) => void change(v)}
      />
    </Card>
  );
}
