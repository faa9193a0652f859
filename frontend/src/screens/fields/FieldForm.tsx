// A form of fields by group, with per-field errors from the backend (ApiError.fields).
import { Fieldset, SimpleGrid, Stack } from "@mantine/core";
import type { Field } from "../../api";
import { type Key, useI18n } from "../../i18n";
import { FieldInput } from "./FieldInput";
import { groupFields } from "./values";

export function FieldForm({
  fields,
  values,
  onChange,
  errors,
}: {
  fields: Field[];
  values: Record<string, string>;
  onChange: (alias: string, v: string) => void;
  errors: Record<string, string>;
}) {
  const { t } = useI18n();
  const editable = fields.filter((f) => !f.system);
  return (
    <Stack>
      {groupFields(editable).map(([group, fs]) => (
        <Fieldset key={group} legend={t(`fields.group.${group}` as Key)}>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {fs.map((f) => (
              <FieldInput
                key={f.alias}
                field={f}
                value={values[f.alias] ?? ""}
                onChange={(v) => onChange(f.alias, v)}
                error={errors[f.alias]}
              />
            ))}
          </SimpleGrid>
        </Fieldset>
      ))}
    </Stack>
  );
}
