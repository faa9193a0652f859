import { ActionIcon, Button, Card, Group, Select, Stack, Text, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { Contacts, type ContactView } from "../../api";
import { type Key, useI18n } from "../../i18n";

const noteTypes = ["general", "email", "call", "meeting"];

export function Notes({ contact, onChange }: { contact: ContactView; onChange: () => void }) {
  const { t, te, fmtDate } = useI18n();
  const [text, setText] = useState("");
  const [type, setType] = useState("general");
  const [busy, setBusy] = useState(false);
  const fail = (e: unknown) => notifications.show({ color: "red", message: te(e) });
  const add = async () => {
    setBusy(true);
    try {
      await Contacts.AddNote(contact.id, type, text);
      setText("");
      onChange();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack>
      <Card withBorder>
        <Stack gap="xs">
          <Textarea
            label={t("notes.new")}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          <Group justify="space-between">
            <Select
              aria-label={t("notes.type")}
              data={noteTypes.map((v) => ({ value: v, label: t(`notes.type.${v}` as Key) }))}
              value={type}
              onChange={(v) => setType(v ?? "general")}
              allowDeselect={false}
              w={180}
            />
            <Button onClick={() => void add()} loading={busy} disabled={text.trim() === ""}>
              {t("notes.add")}
            </Button>
          </Group>
        </Stack>
      </Card>
      {contact.notes.length === 0 && <Text c="dimmed">{t("notes.empty")}</Text>}
      {contact.notes.map((n) => (
        <Card withBorder key={n.id} data-testid="note">
          <Group justify="space-between" align="flex-start" wrap="nowrap">
            <div>
              <Text size="xs" c="dimmed">
                {t(`notes.type.${n.type}` as Key)} · {fmtDate(n.at)}
              </Text>
              <Text style={{ whiteSpace: "pre-wrap" }}>{n.text}</Text>
            </div>
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t("notes.delete")}
              onClick={() => void Contacts.DeleteNote(n.id).then(onChange, fail)}
            >
              <IconTrash size={16} aria-hidden />
            </ActionIcon>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
