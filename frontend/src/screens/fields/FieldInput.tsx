// One editor per Mautic field type; values travel as text (see values.ts).
import { Autocomplete, MultiSelect, Select, Textarea, TextInput } from "@mantine/core";
import { useMemo } from "react";
import type { Field } from "../../api";
import { useI18n } from "../../i18n";
import { countryOptions, useCountries } from "../../i18n/countries";
import { allTimezones, withStored } from "./choices";
import { fieldLabel } from "./values";

interface Props {
  field: Field;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  disabled?: boolean;
}

export function FieldInput({ field: f, value, onChange, error, disabled }: Props) {
  const { t, lang } = useI18n();
  const countries = useCountries(f.type === "country");
  const countryData = useMemo(() => countryOptions(countries.data ?? [], lang), [countries.data, lang]);
  const common = {
    label: fieldLabel(f, lang),
    error,
    disabled,
    withAsterisk: f.required,
    "data-field": f.alias,
  };
  const options = (f.options ?? []).map((o) => ({ value: o.value, label: o.label || o.value }));
  const text = (type: string) => (
    <TextInput {...common} type={type} value={value} onChange={(e) => onChange(e.currentTarget.value)} />
  );
  switch (f.type) {
    case "textarea":
    case "html":
      return (
        <Textarea
          {...common}
          autosize
          minRows={2}
          maxRows={8}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case "email":
      return text("email");
    case "url":
      return text("url");
    case "tel":
      return text("tel");
    case "date":
      return text("date");
    case "datetime":
      return (
        <TextInput
          {...common}
          type="datetime-local"
          description="UTC"
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case "time":
      return text("time");
    case "number":
      return (
        <TextInput
          {...common}
          inputMode="decimal"
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case "boolean":
      return (
        <Select
          {...common}
          data={[
            { value: "1", label: t("common.yes") },
            { value: "0", label: t("common.no") },
          ]}
          value={value || null}
          onChange={(v) => onChange(v ?? "")}
          clearable
        />
      );
    case "select":
      return (
        <Select
          {...common}
          data={options}
          value={value || null}
          onChange={(v) => onChange(v ?? "")}
          clearable
          searchable
        />
      );
    case "multiselect":
      return (
        <MultiSelect
          {...common}
          data={options}
          value={value ? value.split("|") : []}
          onChange={(v) => onChange(v.join("|"))}
          clearable
          searchable
        />
      );
    case "lookup":
      return (
        <Autocomplete {...common} data={options.map((o) => o.value)} value={value} onChange={onChange} />
      );
    case "country":
      return (
        <Select
          {...common}
          data={withStored(countryData, value)}
          value={value || null}
          onChange={(v) => onChange(v ?? "")}
          searchable
          clearable
          nothingFoundMessage={t("palette.nothing")}
        />
      );
    case "timezone":
      return (
        <Select
          {...common}
          data={allTimezones()}
          value={value || null}
          onChange={(v) => onChange(v ?? "")}
          searchable
          clearable
          limit={50}
        />
      );
    case "locale":
      return (
        <TextInput
          {...common}
          placeholder="fr_FR"
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    default:
      return text("text");
  }
}
