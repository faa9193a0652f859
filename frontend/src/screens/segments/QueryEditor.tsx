// The segment filter editor: react-querybuilder with our Mantine controls. The query uses
// independent combinators (an "and"/"or" between every two items, Mautic's glue), nested
// groups and NOT; query.ts converts it to and from the stored filter JSON.
import "react-querybuilder/dist/query-builder.css";
import "./QueryEditor.css";
import {
  ActionIcon,
  Autocomplete,
  Button,
  MultiSelect,
  SegmentedControl,
  Select,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { IconFolderPlus, IconPlus, IconTrash } from "@tabler/icons-react";
import { useMemo, useState } from "react";
import {
  type ActionProps,
  type CombinatorSelectorProps,
  type Field,
  type FieldSelectorProps,
  type NotToggleProps,
  type OperatorSelectorProps,
  QueryBuilder,
  type RuleGroupTypeIC,
  type ValueEditorProps,
} from "react-querybuilder";
import type { SegmentCatalogue, SegmentView } from "../../api";
import { type Key, type Lang, useI18n } from "../../i18n";
import { type Country, countryOptions, useCountries } from "../../i18n/countries";
import { allTimezones, withStored } from "../fields/choices";
import { emptyValue, type FieldDef, valueKind } from "./filters";
import { type FieldInfo, fromFilters, pathLabel, type QGroup, toFilters } from "./query";

/** Relative date expressions offered next to Mautic's keywords. */
const relativeDates = [
  "-7 days",
  "-30 days",
  "+1 week",
  "-1 month",
  "first day of this month",
  "last day of last month",
];

interface Ctx {
  catalogue: SegmentCatalogue;
  defs: Map<string, FieldDef>;
  segments: SegmentView[];
}

interface Props {
  /** the stored filter JSON the editor starts from */
  initial: string;
  onChange: (filters: string) => void;
  catalogue: SegmentCatalogue;
  segments: SegmentView[];
  selfId: string;
  /** shown when there is no filter (default: the segment editor's "static" hint; "" = none) */
  emptyText?: string;
}

/** parseable reports whether the editor can open this filter JSON (else it is edited as text). */
export function parseable(json: string): boolean {
  try {
    return fromFilters(json) !== null;
  } catch {
    return false;
  }
}

/** QueryEditor is the one filter editor of the app: segments, report contact filters and
 * dynamic content variants all edit their filter JSON with it. */
export function QueryEditor({ initial, onChange, catalogue, segments, selfId, emptyText }: Props) {
  const { t, lang } = useI18n();
  const defs = useMemo(
    () => new Map<string, FieldDef>(catalogue.fields.map((f) => [f.alias, f as FieldDef])),
    [catalogue],
  );
  const info: FieldInfo = useMemo(
    () => new Map(catalogue.fields.map((f) => [f.alias, { object: f.object, type: f.type }])),
    [catalogue],
  );
  const [query, setQuery] = useState<RuleGroupTypeIC>(
    () => (fromFilters(initial) ?? { rules: [] }) as unknown as RuleGroupTypeIC,
  );
  const fields = useMemo(
    () =>
      (["contact", "company", "behaviour"] as const).map((g) => ({
        label: t(`segments.group.${g}` as Key),
        options: catalogue.fields
          .filter((f) => f.group === g)
          .map((f): Field => ({ name: f.alias, value: f.alias, label: lang === "fr" ? f.labelFr : f.label })),
      })),
    [catalogue, lang, t],
  );
  const opLabel = useMemo(
    () => new Map(catalogue.operators.map((o) => [o.code, lang === "fr" ? o.labelFr : o.label])),
    [catalogue, lang],
  );
  const ctx: Ctx = { catalogue, defs, segments: segments.filter((s) => s.id !== selfId) };
  return (
    <div data-testid="query-editor" className="magpie-qb">
      {query.rules.length === 0 && emptyText !== "" && (
        <Text c="dimmed">{emptyText ?? t("segments.noFilters")}</Text>
      )}
      <QueryBuilder
        query={query}
        enableMountQueryChange={false}
        onQueryChange={(q) => {
          setQuery(q);
          onChange(toFilters(q as unknown as QGroup, info));
        }}
        fields={fields}
        context={ctx}
        combinators={[
          { name: "and", value: "and", label: t("segments.and") },
          { name: "or", value: "or", label: t("segments.or") },
        ]}
        getOperators={(field) =>
          (defs.get(field)?.operators ?? ["="]).map((o) => ({
            name: o,
            value: o,
            label: opLabel.get(o) ?? o,
          }))
        }
        getDefaultValue={(rule) => {
          const d = defs.get(rule.field);
          return d ? emptyValue(d.type, rule.operator) : "";
        }}
        showNotToggle
        accessibleDescriptionGenerator={() => t("segments.tab.filters")}
        addRuleToNewGroups
        resetOnOperatorChange={false}
        controlElements={{
          fieldSelector: FieldSelector,
          operatorSelector: OperatorSelector,
          valueEditor: ValueEditor,
          combinatorSelector: CombinatorSelector,
          addRuleAction: AddRule,
          addGroupAction: AddGroup,
          removeRuleAction: RemoveRule,
          removeGroupAction: RemoveGroup,
          notToggle: NotToggle,
        }}
      />
      {query.rules.length > 1 && (
        <Text size="xs" c="dimmed" mt="xs">
          {t("segments.orHint")}
        </Text>
      )}
    </div>
  );
}

function FieldSelector({ value, handleOnChange, path, context }: FieldSelectorProps) {
  const { t, lang } = useI18n();
  const { catalogue } = context as Ctx;
  const data = (["contact", "company", "behaviour"] as const).map((g) => ({
    group: t(`segments.group.${g}` as Key),
    items: catalogue.fields
      .filter((f) => f.group === g)
      .map((f) => ({ value: f.alias, label: lang === "fr" ? f.labelFr : f.label })),
  }));
  return (
    <Select
      aria-label={t("segments.field", { n: pathLabel(path) })}
      searchable
      w={240}
      data={data}
      value={value ?? null}
      allowDeselect={false}
      onChange={(v) => v && handleOnChange(v)}
    />
  );
}

function OperatorSelector({ value, handleOnChange, options, path }: OperatorSelectorProps) {
  const { t } = useI18n();
  // getOperators gives a flat list (no option groups).
  const data = (options as { name: string; label: string }[]).map((o) => ({
    value: String(o.name),
    label: String(o.label),
  }));
  return (
    <Select
      aria-label={t("segments.operator", { n: pathLabel(path) })}
      w={190}
      data={data}
      value={value ?? null}
      allowDeselect={false}
      onChange={(v) => v && handleOnChange(v)}
    />
  );
}

function CombinatorSelector({ value, handleOnChange, path }: CombinatorSelectorProps) {
  const { t } = useI18n();
  // An inline combinator sits at an odd index, before the item it joins.
  const last = path[path.length - 1] ?? 0;
  const n = pathLabel([...path.slice(0, -1), last + 1]);
  return (
    <SegmentedControl
      size="xs"
      w={110}
      aria-label={t("segments.glue", { n })}
      data-testid="filter-glue"
      value={value === "or" ? "or" : "and"}
      onChange={handleOnChange}
      data={[
        { value: "and", label: t("segments.and") },
        { value: "or", label: t("segments.or") },
      ]}
    />
  );
}

function AddRule({ handleOnClick, level, path }: ActionProps) {
  const { t } = useI18n();
  return (
    <Button
      size="xs"
      variant="light"
      leftSection={<IconPlus size={14} aria-hidden />}
      onClick={(e) => handleOnClick(e)}
    >
      {level === 0 ? t("segments.addFilter") : t("segments.addFilterTo", { n: pathLabel(path) })}
    </Button>
  );
}

function AddGroup({ handleOnClick, level, path }: ActionProps) {
  const { t } = useI18n();
  return (
    <Button
      size="xs"
      variant="subtle"
      leftSection={<IconFolderPlus size={14} aria-hidden />}
      onClick={(e) => handleOnClick(e)}
    >
      {level === 0 ? t("segments.addGroup") : t("segments.addGroupTo", { n: pathLabel(path) })}
    </Button>
  );
}

function RemoveRule({ handleOnClick, path }: ActionProps) {
  const { t } = useI18n();
  return (
    <ActionIcon
      variant="subtle"
      color="red"
      aria-label={t("segments.removeFilter", { n: pathLabel(path) })}
      onClick={(e) => handleOnClick(e)}
    >
      <IconTrash size={16} aria-hidden />
    </ActionIcon>
  );
}

function RemoveGroup({ handleOnClick, path }: ActionProps) {
  const { t } = useI18n();
  return (
    <ActionIcon
      variant="subtle"
      color="red"
      aria-label={t("segments.removeGroup", { n: pathLabel(path) })}
      onClick={(e) => handleOnClick(e)}
    >
      <IconTrash size={16} aria-hidden />
    </ActionIcon>
  );
}

function NotToggle({ checked, handleOnChange, path }: NotToggleProps) {
  const { t } = useI18n();
  return (
    <Switch
      size="xs"
      label={path.length === 0 ? t("segments.not") : t("segments.notGroup", { n: pathLabel(path) })}
      checked={!!checked}
      onChange={(e) => handleOnChange(e.currentTarget.checked)}
    />
  );
}

function asList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (v == null || v === "") return [];
  return String(v).split("|");
}

function asText(v: unknown): string {
  if (Array.isArray(v)) return v.map(String).join("|");
  return v == null ? "" : String(v);
}

/** A value editor takes the rest of the line, or a line of its own in a narrow column
 * (report and dynamic content forms). */
const grow = { flex: "1 1 12rem" };

/** valueOptions are the choices of a field's value: countries in the UI language, the time
 * zones, or the catalogue's options (a select field's, stages, campaigns, emails …). */
function valueOptions(def: FieldDef | undefined, countries: Country[], lang: Lang) {
  switch (def?.fieldType) {
    case "country":
      return countryOptions(countries, lang);
    case "timezone":
      return allTimezones().map((z) => ({ value: z, label: z }));
  }
  return (def?.options ?? []).map((o) => ({ value: o.value ?? "", label: o.label ?? o.value ?? "" }));
}

function ValueEditor({ field, operator, value, handleOnChange, path, context }: ValueEditorProps) {
  const { t, lang } = useI18n();
  const { defs, catalogue, segments } = context as Ctx;
  const def = defs.get(field);
  const type = def?.type ?? "text";
  const kind = valueKind(type, operator);
  const aria = t("segments.value", { n: pathLabel(path) });
  const countries = useCountries(def?.fieldType === "country");
  const options = useMemo(() => valueOptions(def, countries.data ?? [], lang), [def, countries.data, lang]);
  const str = asText(value);
  switch (kind) {
    case "none":
      return null;
    case "yesno":
      return (
        <SegmentedControl
          aria-label={aria}
          value={str === "0" ? "0" : "1"}
          onChange={handleOnChange}
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
          style={grow}
          placeholder={t("segments.datePlaceholder")}
          data={[
            { group: t("segments.dateKeywords"), items: catalogue.dateKeywords },
            { group: t("segments.dateRelative"), items: relativeDates },
          ]}
          value={str}
          onChange={handleOnChange}
        />
      );
    case "select":
      if (options.length === 0 && type !== "lookup_id") break; // a region, a locale: typed
      return (
        <Select
          aria-label={aria}
          style={grow}
          searchable
          nothingFoundMessage={t("palette.nothing")}
          data={withStored(options, str)}
          value={str || null}
          onChange={(v) => handleOnChange(v ?? "")}
        />
      );
    case "list": {
      const list = asList(value);
      if (type === "leadlist" || options.length > 0) {
        const data = type === "leadlist" ? segments.map((s) => ({ value: s.id, label: s.name })) : options;
        if (type === "tags")
          return (
            <TagsInput
              aria-label={aria}
              style={grow}
              data={data.map((o) => o.value)}
              value={list}
              onChange={handleOnChange}
              splitChars={["|", ","]}
            />
          );
        return (
          <MultiSelect
            aria-label={aria}
            style={grow}
            searchable
            data={data}
            value={list}
            onChange={handleOnChange}
          />
        );
      }
      return (
        <TagsInput
          aria-label={aria}
          style={grow}
          value={list}
          onChange={handleOnChange}
          splitChars={["|", ","]}
        />
      );
    }
  }
  return (
    <TextInput
      aria-label={aria}
      style={grow}
      inputMode={kind === "number" ? "decimal" : undefined}
      value={str}
      onChange={(e) => handleOnChange(e.currentTarget.value)}
    />
  );
}
