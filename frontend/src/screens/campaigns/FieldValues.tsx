// The values an "update contact" / "update company" action writes: one editor per chosen
// field (the contact form's own inputs: a country list, a date picker …), as Mautic's
// action shows the contact form. Stored as {alias: text}, as before.
import { ActionIcon, Group, Select, Stack, Text, TextInput } from "@mantine/core";
import { IconX } from "@tabler/icons-react";
import { useState } from "react";
import { useFields } from "../../api/hooks";
import { useI18n } from "../../i18n";
import { FieldInput } from "../fields/FieldInput";
import { fieldLabel } from "../fields/values";

interface Props {
  object: "contact" | "company";
  label: string;
  value: unknown;
  onChange: (v: Record<string, string> | undefined) => void;
  readOnly: boolean;
}

/** asValues reads the stored prop: an object of field alias → value (anything else: none). */
function asValues(v: unknown): Record<string, string> {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = x === null || x === undefined ? "" : String(x);
  return out;
}

export function FieldValues({ object, label, value, onChange, readOnly }: Props) {
  const { t, lang } = useI18n();
  const [search, setSearch] = useState("");
  const fields = useFields(object).data ?? [];
  const values = asValues(value);
  const set = (next: Record<string, string>) => onChange(Object.keys(next).length ? next : undefined);
  const left = fields
    .filter((f) => !(f.alias in values))
    .map((f) => ({ value: f.alias, label: fieldLabel(f, lang) }));
  return (
    <Stack gap="xs" data-testid="field-values">
      <Text size="sm" fw={500}>
        {label}
      </Text>
      {Object.keys(values).length === 0 && (
        <Text size="sm" c="dimmed">
          {t("campaigns.values.none")}
        </Text>
      )}
      {Object.entries(values).map(([alias, v]) => {
        const f = fields.find((x) => x.alias === alias);
        return (
          <Group key={alias} gap="xs" align="flex-end" wrap="nowrap">
            <div style={{ flex: 1 }}>
              {f ? (
                <FieldInput
                  field={f}
                  value={v}
                  disabled={readOnly}
                  onChange={(x) => set({ ...values, [alias]: x })}
                />
              ) : (
                <TextInput
                  label={alias}
                  value={v}
                  disabled={readOnly}
                  onChange={(e) => set({ ...values, [alias]: e.currentTarget.value })}
                />
              )}
            </div>
            {!readOnly && (
              <ActionIcon
                variant="subtle"
                color="gray"
                mb={4}
                aria-label={t("campaigns.values.remove", { field: f ? fieldLabel(f, lang) : alias })}
                onClick={() => {
                  const { [alias]: _, ...rest } = values;
                  set(rest);
                }}
              >
                <IconX size={16} />
              </ActionIcon>
            )}
          </Group>
        );
      })}
      {!readOnly && (
        <Select
          aria-label={t("campaigns.values.add")}
          placeholder={t("campaigns.values.add")}
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          data={left}
          value={null}
          onChange={(alias) => {
            setSearch("");
            if (alias) set({ ...values, [alias]: "" });
          }}
        />
      )}
    </Stack>
  );
}
