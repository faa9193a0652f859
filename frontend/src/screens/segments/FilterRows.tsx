import {
  ActionIcon,
  Autocomplete,
  Button,
  Card,
  Group,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import type { SegmentCatalogue, SegmentView } from "../../api";
import { type Key, useI18n } from "../../i18n";
import { emptyValue, type FieldDef, type FilterRow, groups, newRow, valueKind } from "./filters";

interface Props {
  rows: FilterRow[];
  onChange: (rows: FilterRow[]) => void;
  catalogue: SegmentCatalogue;
  segments: SegmentView[];
  selfId: string;
  /** shown when there is no filter (default: the segment editor's "static" hint; "" = none) */
  emptyText?: string;
}

/** FilterRows edits a Mautic flat filter list: one row per filter, AND/OR glue, keyboard
 * operable (every control is a labelled input). */
export function FilterRows({ rows, onChange, catalogue, segments, selfId, emptyText }: Props) {
  const { t, lang } = useI18n();
  const defs = new Map<string, FieldDef>(catalogue.fields.map((f) => [f.alias, f as FieldDef]));
  const label = (f: { label: string; labelFr: string }) => (lang === "fr" ? f.labelFr : f.label);
  const opLabel = new Map(catalogue.operators.map((o) => [o.code, lang === "fr" ? o.labelFr : o.label]));
  const fieldData = (["contact", "company", "behaviour"] as const).map((g) => ({
    group: t(`segments.group.${g}` as Key),
    items: catalogue.fields.filter((f) => f.group === g).map((f) => ({ value: f.alias, label: label(f) })),
  }));
  const set = (i: number, patch: Partial<FilterRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const add = () => {
    const first = catalogue.fields[0];
    if (first) onChange([...rows, newRow(first as FieldDef)]);
  };
  let index = 0;
  return (
    <Stack gap="xs">
      {rows.length === 0 && emptyText !== "" && (
        <Text c="dimmed">{emptyText ?? t("segments.noFilters")}</Text>
      )}
      {groups(rows).map((g, gi) => (
        <Card key={g[0]?.key ?? gi} withBorder padding="xs" data-testid="filter-group">
          <Stack gap={6}>
            {g.map((r) => {
              const i = index++;
              const n = i + 1;
              const def = defs.get(r.field);
              const kind = valueKind(r.type, r.operator);
              return (
                <Group key={r.key} gap="xs" wrap="nowrap" align="flex-start" data-testid="filter-row">
                  {i === 0 ? (
                    <Text w={90} size="sm" c="dimmed" pt={6}>
                      #{n}
                    </Text>
                  ) : (
                    <SegmentedControl
                      w={90}
                      size="xs"
                      aria-label={t("segments.glue", { n })}
                      value={r.glue}
                      onChange={(v) => set(i, { glue: v === "or" ? "or" : "and" })}
                      data={[
                        { value: "and", label: t("segments.and") },
                        { value: "or", label: t("segments.or") },
                      ]}
                    />
                  )}
                  <Select
                    aria-label={t("segments.field", { n })}
                    searchable
                    w={240}
                    data={fieldData}
                    value={r.field}
                    allowDeselect={false}
                    onChange={(v) => {
                      const d = v ? defs.get(v) : undefined;
                      if (d) set(i, { ...newRow(d, r.glue), key: r.key });
                    }}
                  />
                  <Select
                    aria-label={t("segments.operator", { n })}
                    w={190}
                    data={(def?.operators ?? [r.operator]).map((o) => ({
                      value: o,
                      label: opLabel.get(o) ?? o,
                    }))}
                    value={r.operator}
                    allowDeselect={false}
                    onChange={(v) => {
                      if (!v) return;
                      const keep = valueKind(r.type, v) === kind;
                      set(i, { operator: v, value: keep ? r.value : emptyValue(r.type, v) });
                    }}
                  />
                  <ValueEditor
                    n={n}
                    kind={kind}
                    row={r}
                    def={def}
                    keywords={catalogue.dateKeywords}
                    segments={segments.filter((s) => s.id !== selfId)}
                    onChange={(value) => set(i, { value })}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    mt={4}
                    aria-label={t("segments.removeFilter", { n })}
                    onClick={() => onChange(rows.filter((_, j) => j !== i))}
                  >
                    <IconTrash size={16} aria-hidden />
                  </ActionIcon>
                </Group>
              );
            })}
          </Stack>
        </Card>
      ))}
      <Group justify="space-between">
        <Button variant="light" leftSection={<IconPlus size={16} aria-hidden />} onClick={add}>
          {t("segments.addFilter")}
        </Button>
        {rows.length > 1 && (
          <Text size="xs" c="dimmed">
            {t("segments.orHint")}
          </Text>
        )}
      </Group>
    </Stack>
  );
}

function ValueEditor({
  n,
  kind,
  row,
  def,
  keywords,
  segments,
  onChange,
}: {
  n: number;
  kind: ReturnType<typeof valueKind>;
  row: FilterRow;
  def: FieldDef | undefined;
  keywords: string[];
  segments: SegmentView[];
  onChange: (v: string | string[]) => void;
}) {
  const { t } = useI18n();
  const aria = t("segments.value", { n });
  const str = Array.isArray(row.value) ? row.value.join("|") : row.value;
  const list = Array.isArray(row.value) ? row.value : row.value ? row.value.split("|") : [];
  const options = (def?.options ?? []).map((o) => ({
    value: o.value ?? "",
    label: o.label ?? o.value ?? "",
  }));
  switch (kind) {
    case "none":
      return <div style={{ flex: 1 }} />;
    case "yesno":
      return (
        <SegmentedControl
          aria-label={aria}
          value={str === "0" ? "0" : "1"}
          onChange={onChange}
          data={[
            { value: "1", label: t("segments.yes") },
            { value: "0", label: t("segments.no") },
          ]}
        />
      );
    case "date":
      return (
        <Autocomplete
          aria-label={aria}
          style={{ flex: 1 }}
          placeholder={t("segments.datePlaceholder")}
          data={keywords}
          value={str}
          onChange={onChange}
        />
      );
    case "select":
      return (
        <Select
          aria-label={aria}
          style={{ flex: 1 }}
          searchable
          data={options}
          value={str || null}
          onChange={(v) => onChange(v ?? "")}
        />
      );
    case "list":
      if (row.type === "leadlist")
        return (
          <MultiSelect
            aria-label={aria}
            style={{ flex: 1 }}
            searchable
            data={segments.map((s) => ({ value: s.id, label: s.name }))}
            value={list}
            onChange={onChange}
          />
        );
      if (options.length > 0)
        return (
          <MultiSelect
            aria-label={aria}
            style={{ flex: 1 }}
            searchable
            data={options}
            value={list}
            onChange={onChange}
          />
        );
      return (
        <TagsInput
          aria-label={aria}
          style={{ flex: 1 }}
          value={list}
          onChange={onChange}
          splitChars={["|", ","]}
        />
      );
    case "number":
      return (
        <TextInput
          aria-label={aria}
          style={{ flex: 1 }}
          inputMode="decimal"
          value={str}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
  return (
    <TextInput
      aria-label={aria}
      style={{ flex: 1 }}
      value={str}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}
