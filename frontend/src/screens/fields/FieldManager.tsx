// The custom field manager: every field of contacts and companies; custom ones can be added,
// edited and deleted (values are kept and come back with Restore).
import {
  ActionIcon,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type Field, type FieldInput, Fields } from "../../api";
import { useFields } from "../../api/hooks";
import { type Key, useI18n } from "../../i18n";
import { ErrorBox, Loading } from "../common";
import { fieldErrors } from "../contacts/ContactPage";
import { formatOptions, optionTypes, parseOptions } from "./options";
import { fieldLabel } from "./values";

type Obj = "contact" | "company";
const groups = ["core", "social", "personal", "professional"];

function emptyInput(object: Obj): FieldInput {
  return {
    object,
    alias: "",
    label: "",
    labelFr: "",
    type: "text",
    group: "core",
    defaultValue: "",
    required: false,
    options: [],
    properties: {},
    listable: true,
    publiclyUpdatable: false,
    uniqueIdentifier: false,
  };
}

function FieldEditor({ object, field, onClose }: { object: Obj; field: Field | null; onClose: () => void }) {
  const { t, te, lang } = useI18n();
  const qc = useQueryClient();
  const types = useQuery({
    queryKey: ["field-types"],
    queryFn: () => Fields.Types(),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const [inp, setInp] = useState<FieldInput>(
    field ? { ...emptyInput(object), ...field } : emptyInput(object),
  );
  const [opts, setOpts] = useState(formatOptions(field?.options ?? []));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const clear = (...keys: string[]) =>
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !keys.includes(k))));
  const set = (p: Partial<FieldInput>) => {
    setInp((x) => ({ ...x, ...p }));
    clear(...Object.keys(p));
  };
  const save = async () => {
    setBusy(true);
    setErrors({});
    try {
      const body = { ...inp, options: optionTypes.includes(inp.type) ? parseOptions(opts) : [] };
      await (field ? Fields.Update(body) : Fields.Add(body));
      await qc.invalidateQueries({ queryKey: ["fields"] });
      notifications.show({ color: "green", message: t("fields.saved", { label: body.label }) });
      onClose();
    } catch (e) {
      const fe = fieldErrors(lang, e);
      setErrors(fe);
      if (Object.keys(fe).length === 0) notifications.show({ color: "red", message: te(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Stack>
        <SimpleGrid cols={2}>
          <TextInput
            label={t("fields.label")}
            value={inp.label}
            onChange={(e) => set({ label: e.currentTarget.value })}
            error={errors.label}
            required
            data-autofocus
          />
          <TextInput
            label={t("fields.labelFr")}
            description={t("fields.labelFrHint")}
            value={inp.labelFr}
            onChange={(e) => set({ labelFr: e.currentTarget.value })}
          />
          <TextInput
            label={t("fields.alias")}
            description={field ? undefined : t("fields.aliasHint")}
            value={inp.alias}
            onChange={(e) => set({ alias: e.currentTarget.value })}
            error={errors.alias}
            disabled={!!field}
          />
          <Select
            label={t("fields.type")}
            data-testid="field-type"
            data={(types.data ?? [inp.type]).map((x) => ({ value: x, label: t(`fields.type.${x}` as Key) }))}
            value={inp.type}
            onChange={(v) => set({ type: v ?? "text" })}
            error={errors.type}
            allowDeselect={false}
            disabled={!!field}
            searchable
          />
          <Select
            label={t("fields.groupLabel")}
            data={groups.map((g) => ({ value: g, label: t(`fields.group.${g}` as Key) }))}
            value={inp.group}
            onChange={(v) => set({ group: v ?? "core" })}
            allowDeselect={false}
          />
        </SimpleGrid>
        {optionTypes.includes(inp.type) && (
          <Textarea
            label={t("fields.options")}
            description={t("fields.optionsHint")}
            autosize
            minRows={3}
            value={opts}
            onChange={(e) => {
              setOpts(e.currentTarget.value);
              clear("options");
            }}
            error={errors.options}
          />
        )}
        {inp.type === "number" && (
          <TextInput
            label={t("fields.scale")}
            inputMode="numeric"
            value={String(inp.properties?.scale ?? "")}
            onChange={(e) => {
              const v = e.currentTarget.value.trim();
              set({ properties: v === "" ? {} : { ...inp.properties, scale: Number(v) } });
            }}
          />
        )}
        <TextInput
          label={t("fields.default")}
          value={inp.defaultValue}
          onChange={(e) => set({ defaultValue: e.currentTarget.value })}
          error={errors.defaultValue ?? errors.default}
        />
        <Group>
          <Checkbox
            label={t("fields.required")}
            checked={inp.required}
            onChange={(e) => set({ required: e.currentTarget.checked })}
          />
          <Checkbox
            label={t("fields.listable")}
            checked={inp.listable}
            onChange={(e) => set({ listable: e.currentTarget.checked })}
          />
          <Checkbox
            label={t("fields.unique")}
            checked={inp.uniqueIdentifier}
            onChange={(e) => set({ uniqueIdentifier: e.currentTarget.checked })}
          />
          <Checkbox
            label={t("fields.public")}
            checked={inp.publiclyUpdatable}
            onChange={(e) => set({ publiclyUpdatable: e.currentTarget.checked })}
          />
        </Group>
        {Object.keys(errors).length > 0 && (
          <Text c="red" size="sm" role="alert">
            {Object.entries(errors)
              .filter(([k]) => !["label", "alias", "type", "options", "defaultValue", "default"].includes(k))
              .map(([k, v]) => `${k}: ${v}`)
              .join(" · ")}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={busy}>
            {field ? t("common.save") : t("common.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function FieldTable({ object }: { object: Obj }) {
  const { t, te, lang } = useI18n();
  const qc = useQueryClient();
  const list = useFields(object);
  const [editing, setEditing] = useState<Field | "new" | null>(null);
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorBox error={list.error} onRetry={() => void list.refetch()} />;
  const del = async (f: Field) => {
    try {
      await Fields.Delete(object, f.alias);
      await qc.invalidateQueries({ queryKey: ["fields"] });
      notifications.show({
        message: t("fields.deleted", { label: f.label }),
        color: "gray",
      });
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    }
  };
  return (
    <Stack>
      <Group justify="flex-end">
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing("new")}>
          {t("fields.add")}
        </Button>
      </Group>
      <Table striped data-testid={`fields-${object}`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("fields.label")}</Table.Th>
            <Table.Th>{t("fields.alias")}</Table.Th>
            <Table.Th>{t("fields.type")}</Table.Th>
            <Table.Th>{t("fields.groupLabel")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.data.map((f) => (
            <Table.Tr key={f.alias}>
              <Table.Td>
                {fieldLabel(f, lang)}
                {f.required && " *"}
              </Table.Td>
              <Table.Td>
                <code>{f.alias}</code>
              </Table.Td>
              <Table.Td>{t(`fields.type.${f.type}` as Key)}</Table.Td>
              <Table.Td>{t(`fields.group.${f.group}` as Key)}</Table.Td>
              <Table.Td>
                {f.fixed ? (
                  <Badge variant="light" color="gray">
                    {t("fields.core")}
                  </Badge>
                ) : (
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <ActionIcon
                      variant="subtle"
                      aria-label={t("fields.edit", { label: f.label })}
                      onClick={() => setEditing(f)}
                    >
                      <IconPencil size={16} aria-hidden />
                    </ActionIcon>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={t("fields.delete", { label: f.label })}
                      onClick={() => void del(f)}
                    >
                      <IconTrash size={16} aria-hidden />
                    </ActionIcon>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === "new" ? t("fields.add") : t("fields.editTitle")}
        size="lg"
      >
        {editing !== null && (
          <FieldEditor
            object={object}
            field={editing === "new" ? null : editing}
            onClose={() => setEditing(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}

export function FieldManager() {
  const { t } = useI18n();
  return (
    <Stack>
      <Title order={2}>{t("nav.fields")}</Title>
      <Tabs defaultValue="contact" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="contact">{t("nav.contacts")}</Tabs.Tab>
          <Tabs.Tab value="company">{t("nav.companies")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="contact" pt="md">
          <FieldTable object="contact" />
        </Tabs.Panel>
        <Tabs.Panel value="company" pt="md">
          <FieldTable object="company" />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
