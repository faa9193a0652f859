import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  TagsInput,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconPencil } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, Contacts, type ContactView, type Field } from "../../api";
import { useFields } from "../../api/hooks";
import { DeleteButton } from "../../components/DeleteButton";
import { type Key, translate, useI18n } from "../../i18n";
import { useCountryLabel } from "../../i18n/countries";
import { navigate } from "../../router";
import { ErrorBox, Loading } from "../common";
import { ContactEmailPrefs } from "../emails/ContactEmailPrefs";
import { FieldForm } from "../fields/FieldForm";
import { changedValues, fieldLabel, groupFields, toText } from "../fields/values";
import { ContactPointsCards } from "../points/ContactPoints";
import { ContactSegments } from "../segments/ContactSegments";
import { ContactCompanies } from "./ContactCompanies";
import { Notes } from "./Notes";
import { OwnerCard } from "./OwnerCard";
import { Timeline } from "./Timeline";

/** fieldErrors translates an ApiError's per-field keys. */
export function fieldErrors(lang: "en" | "fr", e: unknown): Record<string, string> {
  if (!(e instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const [alias, key] of Object.entries(e.fields)) out[alias] = translate(lang, key, e.params, key);
  return out;
}

function textValues(fields: Field[], c: ContactView | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) if (!f.system) out[f.alias] = toText(f, c?.values?.[f.alias]);
  return out;
}

function Editor({
  contact,
  fields,
  onDone,
}: {
  contact: ContactView | null;
  fields: Field[];
  onDone: (c: ContactView) => void;
}) {
  const { t, te, lang } = useI18n();
  const orig = textValues(fields, contact);
  const [values, setValues] = useState(orig);
  const [tags, setTags] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    setErrors({});
    try {
      const c = contact
        ? await Contacts.Update(contact.id, changedValues(orig, values))
        : await Contacts.Create({
            values: Object.fromEntries(Object.entries(values).filter(([, v]) => v !== "")),
            tags,
          });
      notifications.show({ color: "green", message: t("contact.saved") });
      onDone(c);
    } catch (e) {
      const fe = fieldErrors(lang, e);
      setErrors(fe);
      notifications.show({
        color: "red",
        message: Object.keys(fe).length ? t("contact.fixErrors", { n: Object.keys(fe).length }) : te(e),
      });
      const first = Object.keys(fe)[0];
      if (first) document.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      noValidate
    >
      <Stack>
        <FieldForm
          fields={fields}
          values={values}
          errors={errors}
          onChange={(a, v) => {
            setValues((s) => ({ ...s, [a]: v }));
            setErrors(({ [a]: _, ...rest }) => rest);
          }}
        />
        {!contact && <TagsInput label={t("contacts.tags")} value={tags} onChange={setTags} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => (contact ? onDone(contact) : navigate("/contacts"))}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={busy}>
            {contact ? t("common.save") : t("common.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function NewContactPage() {
  const { t } = useI18n();
  const fields = useFields("contact");
  if (fields.isPending) return <Loading />;
  if (fields.isError) return <ErrorBox error={fields.error} onRetry={() => void fields.refetch()} />;
  return (
    <Stack maw={1000}>
      <Title order={2}>{t("contacts.new")}</Title>
      <Editor contact={null} fields={fields.data} onDone={(c) => navigate(`/contacts/${c.id}`)} />
    </Stack>
  );
}

function Details({ contact, fields }: { contact: ContactView; fields: Field[] }) {
  const { t, lang } = useI18n();
  const country = useCountryLabel(lang);
  return (
    <Stack>
      {groupFields(fields.filter((f) => !f.system)).map(([group, fs]) => {
        const filled = fs.filter((f) => toText(f, contact.values?.[f.alias]) !== "");
        if (filled.length === 0) return null;
        return (
          <Card withBorder key={group}>
            <Text fw={600} mb="xs">
              {t(`fields.group.${group}` as Key)}
            </Text>
            <Table>
              <Table.Tbody>
                {filled.map((f) => (
                  <Table.Tr key={f.alias}>
                    <Table.Th scope="row" w="35%">
                      {fieldLabel(f, lang)}
                    </Table.Th>
                    <Table.Td data-testid={`value-${f.alias}`}>
                      {f.type === "boolean"
                        ? t(toText(f, contact.values?.[f.alias]) === "1" ? "common.yes" : "common.no")
                        : f.type === "country"
                          ? country(String(contact.values?.[f.alias]))
                          : String(contact.values?.[f.alias]).split("|").join(", ")}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        );
      })}
    </Stack>
  );
}

export function ContactPage({ id }: { id: string }) {
  const { t, te, fmtDate } = useI18n();
  const qc = useQueryClient();
  const fields = useFields("contact");
  const contact = useQuery({ queryKey: ["contact", id], queryFn: () => Contacts.Get(id) });
  const [editing, setEditing] = useState(false);
  if (contact.isPending || fields.isPending) return <Loading />;
  if (contact.isError) return <ErrorBox error={contact.error} onRetry={() => void contact.refetch()} />;
  if (fields.isError) return <ErrorBox error={fields.error} onRetry={() => void fields.refetch()} />;
  const c = contact.data;
  const set = (v: ContactView) => qc.setQueryData(["contact", id], v);
  const act = (p: Promise<unknown>) =>
    p.catch((e: unknown) => notifications.show({ color: "red", message: te(e) }));
  const saveTags = (next: string[]) => {
    const add = next.filter((x) => !c.tags.includes(x));
    const remove = c.tags.filter((x) => !next.includes(x));
    set({ ...c, tags: next });
    void act(Contacts.Tag({ ids: [id], all: false, search: "" }, add, remove).then(() => contact.refetch()));
  };
  return (
    <Stack maw={1100}>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Anchor href="#/contacts" size="sm">
            <Group gap={4}>
              <IconArrowLeft size={14} aria-hidden />
              {t("nav.contacts")}
            </Group>
          </Anchor>
          <Title order={2} data-testid="contact-name">
            {c.name || t("contacts.anonymous")}
          </Title>
          <Group gap="xs">
            {c.anonymous && <Badge color="gray">{t("contact.visitor")}</Badge>}
            {c.deleted && <Badge color="red">{t("contact.inTrash")}</Badge>}
            {c.dnc.map((d) => (
              <Badge key={d.channel} color="red" variant="light" data-testid="dnc-badge">
                {t("contact.dncBadge", { channel: d.channel, reason: t(`contacts.dnc.${d.reason}` as Key) })}
              </Badge>
            ))}
          </Group>
        </Stack>
        {!editing && (
          <Group gap="xs">
            <Button leftSection={<IconPencil size={16} aria-hidden />} onClick={() => setEditing(true)}>
              {t("common.edit")}
            </Button>
            <DeleteButton
              remove={() => Contacts.Delete({ ids: [id], all: false, search: "" })}
              restore={() => Contacts.Restore([id])}
              listPath="/contacts"
              pagePath={`/contacts/${id}`}
            />
          </Group>
        )}
      </Group>
      <SimpleGrid cols={{ base: 2, md: 5 }}>
        <ContactPointsCards contactId={id} />
        <OwnerCard contactId={id} ownerId={c.ownerId} />
        <Card withBorder>
          <Text size="xs" c="dimmed">
            {t("contacts.dateAdded")}
          </Text>
          <Text fw={600}>{fmtDate(c.dateAdded)}</Text>
        </Card>
        <Card withBorder>
          <Text size="xs" c="dimmed">
            {t("contact.lastActive")}
          </Text>
          <Text fw={600}>{c.lastActive ? fmtDate(c.lastActive) : t("contact.neverActive")}</Text>
        </Card>
      </SimpleGrid>
      <TagsInput
        label={t("contacts.tags")}
        value={c.tags}
        onChange={saveTags}
        data-testid="contact-tags"
        clearable={false}
      />
      {editing ? (
        <Editor
          contact={c}
          fields={fields.data}
          onDone={(v) => {
            set(v);
            setEditing(false);
          }}
        />
      ) : (
        <Tabs defaultValue="details" keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="details">{t("contact.details")}</Tabs.Tab>
            <Tabs.Tab value="timeline">{t("contact.timeline")}</Tabs.Tab>
            <Tabs.Tab value="notes">{t("contact.notes", { n: c.notes.length })}</Tabs.Tab>
            <Tabs.Tab value="companies">{t("contact.companies", { n: c.companies.length })}</Tabs.Tab>
            <Tabs.Tab value="dnc">{t("contact.dnc")}</Tabs.Tab>
            <Tabs.Tab value="segments">{t("segments.tab.contact")}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="details" pt="md">
            <Details contact={c} fields={fields.data} />
          </Tabs.Panel>
          <Tabs.Panel value="timeline" pt="md">
            <Timeline id={id} />
          </Tabs.Panel>
          <Tabs.Panel value="notes" pt="md">
            <Notes contact={c} onChange={() => void contact.refetch()} />
          </Tabs.Panel>
          <Tabs.Panel value="companies" pt="md">
            <ContactCompanies contact={c} onChange={set} />
          </Tabs.Panel>
          <Tabs.Panel value="dnc" pt="md">
            <DNCPanel contact={c} onChange={() => void contact.refetch()} />
            <ContactEmailPrefs contactId={id} />
          </Tabs.Panel>
          <Tabs.Panel value="segments" pt="md">
            <ContactSegments contactId={id} />
          </Tabs.Panel>
        </Tabs>
      )}
    </Stack>
  );
}

function DNCPanel({ contact: c, onChange }: { contact: ContactView; onChange: () => void }) {
  const { t, te, fmtDate } = useI18n();
  const sel = { ids: [c.id], all: false, search: "" };
  const run = (p: Promise<unknown>) =>
    p.then(onChange, (e: unknown) => notifications.show({ color: "red", message: te(e) }));
  const has = (ch: string) => c.dnc.some((d) => d.channel === ch);
  return (
    <Stack>
      {c.dnc.length === 0 && <Text c="dimmed">{t("contact.contactable")}</Text>}
      {c.dnc.map((d) => (
        <Card withBorder key={d.channel}>
          <Group justify="space-between">
            <div>
              <Text fw={600}>
                {t("contact.dncBadge", { channel: d.channel, reason: t(`contacts.dnc.${d.reason}` as Key) })}
              </Text>
              <Text size="sm" c="dimmed">
                {fmtDate(d.dateAdded)} {d.comments}
              </Text>
            </div>
            <Button variant="default" onClick={() => void run(Contacts.RemoveDNC(sel, d.channel))}>
              {t("contacts.dnc.remove")}
            </Button>
          </Group>
        </Card>
      ))}
      <Group>
        {["email", "sms"]
          .filter((ch) => !has(ch))
          .map((ch) => (
            <Button
              key={ch}
              variant="light"
              color="red"
              onClick={() => void run(Contacts.SetDNC(sel, ch, "manual", ""))}
            >
              {t("contact.setDnc", { channel: ch })}
            </Button>
          ))}
      </Group>
    </Stack>
  );
}
