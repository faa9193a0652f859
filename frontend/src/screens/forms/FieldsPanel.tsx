import {
  ActionIcon,
  Button,
  Checkbox,
  Grid,
  Group,
  NumberInput,
  Paper,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconGripVertical, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Fields } from "../../api";
import { aliasFrom, FIELD_TYPES, type FormField, moveItem } from "../../api/forms";
import { type Key, useI18n } from "../../i18n";

const CHOICES = ["select", "radiogrp", "checkboxgrp"];
const NO_VALUE = ["freetext", "freehtml", "pagebreak", "captcha"];
/** A new field of these types saves to the contact's field of the same kind, unless another
 * field of the form already does (changeable in its panel). */
const DEFAULT_MAP: Record<string, string> = { email: "contact.email", country: "contact.country" };

interface Props {
  fields: FormField[];
  onChange: (fields: FormField[]) => void;
}

/** The builder's fields tab: the ordered list (buttons + drag to reorder) and the field panel. */
export function FieldsPanel({ fields, onChange }: Props) {
  const { t } = useI18n();
  const [sel, setSel] = useState(0);
  const [newType, setNewType] = useState<string>("text");
  const [drag, setDrag] = useState<number | null>(null);
  const typeLabel = (ty: string) => t(`forms.type.${ty}` as Key);
  const add = () => {
    const label = typeLabel(newType);
    const f: FormField = {
      alias: aliasFrom(
        label,
        fields.map((x) => x.alias),
      ),
      label,
      type: newType,
    };
    const mapTo = DEFAULT_MAP[newType];
    if (mapTo && !fields.some((x) => x.mapTo === mapTo)) f.mapTo = mapTo;
    if (CHOICES.includes(newType))
      f.options = [
        { value: "a", label: "A" },
        { value: "b", label: "B" },
      ];
    onChange([...fields, f]);
    setSel(fields.length);
  };
  const move = (from: number, to: number) => {
    onChange(moveItem(fields, from, to));
    if (sel === from) setSel(to);
  };
  const cur = fields[sel];
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Stack gap="xs">
          <Text fw={600} id="form-field-list">
            {t("forms.fieldList")}
          </Text>
          <Text size="xs" c="dimmed">
            {t("forms.dragHint")}
          </Text>
          {fields.length === 0 && <Text c="dimmed">{t("forms.noFields")}</Text>}
          <Stack gap={4} role="list" aria-labelledby="form-field-list" data-testid="form-fields">
            {fields.map((f, i) => (
              <Paper
                key={f.alias}
                role="listitem"
                withBorder
                p={6}
                draggable
                onDragStart={() => setDrag(i)}
                onDragOver={(e) => e.preventDefault()}
                onDrop={() => {
                  if (drag !== null) move(drag, i);
                  setDrag(null);
                }}
                bg={i === sel ? "var(--mantine-color-blue-light)" : undefined}
              >
                <Group gap={4} wrap="nowrap">
                  <IconGripVertical size={16} aria-hidden style={{ cursor: "grab", flex: "none" }} />
                  <Button
                    variant="subtle"
                    size="compact-sm"
                    justify="flex-start"
                    style={{ flex: 1 }}
                    onClick={() => setSel(i)}
                    aria-pressed={i === sel}
                  >
                    {f.type === "pagebreak" ? `— ${typeLabel(f.type)} —` : f.label || f.alias}
                    <Text span size="xs" c="dimmed" ml={6}>
                      {typeLabel(f.type)}
                      {f.required ? " *" : ""}
                    </Text>
                  </Button>
                  <ActionIcon
                    variant="subtle"
                    aria-label={t("forms.moveUp", { name: f.label || f.alias })}
                    disabled={i === 0}
                    onClick={() => move(i, i - 1)}
                  >
                    <IconArrowUp size={16} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    aria-label={t("forms.moveDown", { name: f.label || f.alias })}
                    disabled={i === fields.length - 1}
                    onClick={() => move(i, i + 1)}
                  >
                    <IconArrowDown size={16} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t("forms.remove", { name: f.label || f.alias })}
                    onClick={() => {
                      onChange(fields.filter((_, k) => k !== i));
                      setSel(Math.max(0, Math.min(sel, fields.length - 2)));
                    }}
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
              </Paper>
            ))}
          </Stack>
          <Group gap="xs" align="flex-end">
            <Select
              label={t("forms.fieldType")}
              data={FIELD_TYPES.map((ty) => ({ value: ty, label: typeLabel(ty) }))}
              value={newType}
              onChange={(v) => setNewType(v ?? "text")}
              allowDeselect={false}
              style={{ flex: 1 }}
            />
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={add}>
              {t("forms.addField")}
            </Button>
          </Group>
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 7 }}>
        {cur ? (
          <FieldEditor
            key={sel}
            field={cur}
            earlier={fields.slice(0, sel)}
            onChange={(f) => onChange(fields.map((x, k) => (k === sel ? f : x)))}
          />
        ) : (
          <Text c="dimmed">{t("forms.selectField")}</Text>
        )}
      </Grid.Col>
    </Grid>
  );
}

function FieldEditor({
  field,
  earlier,
  onChange,
}: {
  field: FormField;
  earlier: FormField[];
  onChange: (f: FormField) => void;
}) {
  const { t, lang } = useI18n();
  const contactFields = useQuery({ queryKey: ["fields", "contact"], queryFn: () => Fields.List("contact") });
  const companyFields = useQuery({ queryKey: ["fields", "company"], queryFn: () => Fields.List("company") });
  const set = (p: Partial<FormField>) => onChange({ ...field, ...p });
  const label = (f: { label: string; labelFr?: string }) =>
    lang === "fr" && f.labelFr ? f.labelFr : f.label;
  const mapping = [
    { value: "", label: t("forms.f.noMapping") },
    ...(contactFields.data ?? [])
      .filter((f) => !f.system)
      .map((f) => ({ value: `contact.${f.alias}`, label: t("forms.f.contact", { label: label(f) }) })),
    ...(companyFields.data ?? [])
      .filter((f) => !f.system)
      .map((f) => ({ value: `company.${f.alias}`, label: t("forms.f.company", { label: label(f) }) })),
  ];
  const ty = field.type;
  const valued = !NO_VALUE.includes(ty);
  return (
    <Paper withBorder p="md">
      <Stack gap="sm" data-testid="field-editor">
        <Group grow>
          <TextInput
            label={t("forms.f.label")}
            value={field.label}
            onChange={(e) => set({ label: e.currentTarget.value })}
          />
          <TextInput
            label={t("forms.f.alias")}
            value={field.alias}
            onChange={(e) => set({ alias: e.currentTarget.value.toLowerCase() })}
          />
        </Group>
        <Select
          label={t("forms.f.type")}
          data={FIELD_TYPES.map((x) => ({ value: x, label: t(`forms.type.${x}` as Key) }))}
          value={ty}
          onChange={(v) => v && set({ type: v })}
          allowDeselect={false}
        />
        {ty === "captcha" && <Text size="sm">{t("forms.f.honeypotHint")}</Text>}
        {(ty === "freetext" || ty === "freehtml") && (
          <Textarea
            label={t(ty === "freehtml" ? "forms.f.html" : "forms.f.text")}
            autosize
            minRows={3}
            value={field.text ?? ""}
            onChange={(e) => set({ text: e.currentTarget.value })}
          />
        )}
        {valued && (
          <>
            <Select
              label={t("forms.f.mapTo")}
              data={mapping}
              value={field.mapTo ?? ""}
              onChange={(v) => set({ mapTo: v ?? "" })}
              searchable
            />
            <Group>
              <Checkbox
                label={t("forms.f.required")}
                checked={!!field.required}
                onChange={(e) => set({ required: e.currentTarget.checked })}
              />
              <Checkbox
                label={t("forms.f.prefill")}
                checked={!!field.prefill}
                onChange={(e) => set({ prefill: e.currentTarget.checked })}
              />
            </Group>
            <Checkbox
              label={t("forms.f.hideIfKnown")}
              checked={!!field.hideIfKnown}
              onChange={(e) => set({ hideIfKnown: e.currentTarget.checked })}
            />
            <Group grow>
              <TextInput
                label={t("forms.f.placeholder")}
                value={field.placeholder ?? ""}
                onChange={(e) => set({ placeholder: e.currentTarget.value })}
              />
              <TextInput
                label={t("forms.f.default")}
                value={field.default ?? ""}
                onChange={(e) => set({ default: e.currentTarget.value })}
              />
            </Group>
          </>
        )}
        {CHOICES.includes(ty) && (
          <Textarea
            label={t("forms.f.options")}
            autosize
            minRows={3}
            value={(field.options ?? [])
              .map((o) => (o.label === o.value ? o.value : `${o.value}|${o.label}`))
              .join("\n")}
            onChange={(e) =>
              set({
                options: e.currentTarget.value
                  .split("\n")
                  .filter((l) => l.trim())
                  .map((l) => {
                    const [v = "", lb] = l.split("|");
                    return { value: v.trim(), label: (lb ?? v).trim() };
                  }),
              })
            }
          />
        )}
        {valued && ty !== "hidden" && (
          <>
            <Select
              label={t("forms.f.showIf")}
              data={[
                { value: "", label: t("forms.f.showIfNone") },
                ...earlier
                  .filter((f) => !NO_VALUE.includes(f.type))
                  .map((f) => ({ value: f.alias, label: f.label || f.alias })),
              ]}
              value={field.showIf?.field ?? ""}
              onChange={(v) =>
                set({ showIf: v ? { field: v, values: field.showIf?.values ?? [] } : undefined })
              }
            />
            {field.showIf && (
              <TextInput
                label={t("forms.f.showValues")}
                value={(field.showIf.values ?? []).join(", ")}
                onChange={(e) =>
                  set({
                    showIf: {
                      field: field.showIf?.field ?? "",
                      values: e.currentTarget.value
                        .split(",")
                        .map((s) => s.trim())
                        .filter(Boolean),
                    },
                  })
                }
              />
            )}
            {field.type === "file" && (
              <Group grow>
                <TextInput
                  label={t("forms.f.accept")}
                  placeholder="pdf, png, jpg, docx"
                  value={field.accept ?? ""}
                  onChange={(e) => set({ accept: e.currentTarget.value })}
                />
                <NumberInput
                  label={t("forms.f.maxSizeKb")}
                  min={1}
                  max={512}
                  value={field.maxSizeKb ?? ""}
                  onChange={(v) => set({ maxSizeKb: typeof v === "number" ? v : undefined })}
                />
              </Group>
            )}
            <Group grow>
              <TextInput
                label={t("forms.f.pattern")}
                value={field.pattern ?? ""}
                onChange={(e) => set({ pattern: e.currentTarget.value })}
              />
              <NumberInput
                label={t("forms.f.maxLength")}
                min={0}
                value={field.maxLength ?? ""}
                onChange={(v) => set({ maxLength: typeof v === "number" ? v : undefined })}
              />
            </Group>
            {field.pattern && (
              <TextInput
                label={t("forms.f.errorMessage")}
                value={field.errorMessage ?? ""}
                onChange={(e) => set({ errorMessage: e.currentTarget.value })}
              />
            )}
          </>
        )}
      </Stack>
    </Paper>
  );
}
