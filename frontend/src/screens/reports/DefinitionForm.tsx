import {
  ActionIcon,
  Button,
  Card,
  Checkbox,
  Group,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Segments } from "../../api";
import type { ReportDef, ReportOptions, ReportSource } from "../../api/reports";
import { type Key, useI18n } from "../../i18n";
import { parseable, QueryEditor } from "../segments/QueryEditor";
import { splitGroup, switchSource } from "./model";

interface Props {
  def: ReportDef;
  onChange: (d: ReportDef) => void;
  options: ReportOptions;
  fieldErrors: Record<string, string>;
}

/** DefinitionForm edits what a report computes: source, columns, filters, grouping, graph. */
export function DefinitionForm({ def, onChange, options, fieldErrors }: Props) {
  const { t } = useI18n();
  const src = options.sources.find((s) => s.id === def.source);
  const set = (patch: Partial<ReportDef>) => onChange({ ...def, ...patch });
  const colData = (src?.columns ?? []).map((c) => ({ value: c.id, label: c.label }));
  const colType = new Map((src?.columns ?? []).map((c) => [c.id, c.type]));
  const dateCol = src?.columns.find((c) => c.id === src.dateColumn);
  const err = (f: string) => (fieldErrors[f] ? t(fieldErrors[f] as Key) : undefined);
  return (
    <Stack gap="md">
      <Select
        label={t("reports.source")}
        data={options.sources.map((s) => ({
          value: s.id,
          label: s.coming ? t("reports.sourceComing", { label: s.label }) : s.label,
          disabled: s.coming,
        }))}
        value={def.source}
        allowDeselect={false}
        onChange={(v) => {
          const s = options.sources.find((x) => x.id === v);
          if (s) onChange(switchSource(def, s));
        }}
        error={err("source")}
        data-testid="report-source"
      />
      <MultiSelect
        label={t("reports.columns")}
        description={t("reports.columnsHint")}
        data={colData}
        value={def.columns}
        onChange={(v) => set({ columns: v })}
        searchable
        error={err("columns")}
        data-testid="report-columns"
      />
      <Group grow align="flex-start">
        <TextInput
          type="date"
          label={t("reports.dateFrom")}
          description={dateCol ? t("reports.dateRangeHint", { col: dateCol.label }) : undefined}
          value={def.dateFrom}
          onChange={(e) => set({ dateFrom: e.currentTarget.value })}
          error={err("dateFrom")}
          data-testid="report-from"
        />
        <TextInput
          type="date"
          label={t("reports.dateTo")}
          description={dateCol ? " " : undefined}
          value={def.dateTo}
          onChange={(e) => set({ dateTo: e.currentTarget.value })}
          error={err("dateTo")}
          data-testid="report-to"
        />
      </Group>
      <ColumnFilters def={def} onChange={onChange} options={options} src={src} />
      {src?.contactFilters && <ContactFilters def={def} onChange={onChange} />}
      <Card withBorder>
        <Stack gap="sm">
          <Title order={4}>{t("reports.summary")}</Title>
          <MultiSelect
            label={t("reports.groupBy")}
            description={t("reports.groupByHint")}
            data={colData}
            value={def.groupBy.map((g) => splitGroup(g).col)}
            maxValues={2}
            onChange={(v) =>
              set({
                groupBy: v.map((c) => {
                  const old = def.groupBy.find((g) => splitGroup(g).col === c);
                  if (old) return old;
                  return colType.get(c) === "datetime" ? `${c}:day` : c;
                }),
              })
            }
            error={err("groupBy")}
            data-testid="report-groupby"
          />
          {def.groupBy.map((g, i) => {
            const { col, bucket } = splitGroup(g);
            if (colType.get(col) !== "datetime") return null;
            const label = src?.columns.find((c) => c.id === col)?.label ?? col;
            return (
              <SegmentedControl
                key={g}
                aria-label={t("reports.bucket", { col: label })}
                data={options.buckets.map((b) => ({ value: b, label: t(`reports.bucket.${b}` as Key) }))}
                value={bucket || "day"}
                onChange={(b) => set({ groupBy: def.groupBy.map((x, j) => (j === i ? `${col}:${b}` : x)) })}
                data-testid="report-bucket"
              />
            );
          })}
          <Aggregates def={def} onChange={onChange} options={options} src={src} />
          <Group grow>
            <Select
              label={t("reports.summarySort")}
              data={["key", "value"].map((v) => ({ value: v, label: t(`reports.summarySort.${v}` as Key) }))}
              value={def.summarySort || "key"}
              allowDeselect={false}
              onChange={(v) => set({ summarySort: v ?? "key" })}
            />
            <NumberInput
              label={t("reports.summaryLimit")}
              min={0}
              value={def.summaryLimit}
              onChange={(v) => set({ summaryLimit: typeof v === "number" ? v : 0 })}
            />
          </Group>
          <div>
            <Text size="sm" fw={500} id="report-graph-label">
              {t("reports.graph")}
            </Text>
            <SegmentedControl
              aria-labelledby="report-graph-label"
              data={["", ...options.graphs].map((g) => ({
                value: g,
                label: t(`reports.graph.${g || "none"}` as Key),
              }))}
              value={def.graph}
              onChange={(g) => set({ graph: g })}
              data-testid="report-graph"
            />
            {def.graph && def.groupBy.length === 0 && (
              <Text size="xs" c="dimmed">
                {t("reports.graphNeedsGroup")}
              </Text>
            )}
          </div>
        </Stack>
      </Card>
      <Group grow align="flex-end">
        <Select
          label={t("reports.sortBy")}
          data={colData}
          value={def.orderBy[0]?.column ?? null}
          clearable
          onChange={(v) => set({ orderBy: v ? [{ column: v, desc: def.orderBy[0]?.desc ?? false }] : [] })}
        />
        <Checkbox
          label={t("reports.sortDesc")}
          checked={def.orderBy[0]?.desc ?? false}
          disabled={def.orderBy.length === 0}
          onChange={(e) => {
            const first = def.orderBy[0];
            if (first) set({ orderBy: [{ column: first.column, desc: e.currentTarget.checked }] });
          }}
          mb={8}
        />
      </Group>
    </Stack>
  );
}

function ColumnFilters({
  def,
  onChange,
  options,
  src,
}: Omit<Props, "fieldErrors"> & { src: ReportSource | undefined }) {
  const { t } = useI18n();
  const cols = src?.columns ?? [];
  const set = (i: number, patch: Partial<ReportDef["filters"][number]>) =>
    onChange({ ...def, filters: def.filters.map((f, j) => (j === i ? { ...f, ...patch } : f)) });
  const first = cols[0];
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={4}>{t("reports.filters")}</Title>
        {def.filters.map((f, i) => {
          const n = i + 1;
          const type = cols.find((c) => c.id === f.column)?.type ?? "text";
          const ops = options.ops[type] ?? [];
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: filters have no id; order is their identity
            <Group key={i} gap="xs" wrap="nowrap" align="flex-end" data-testid="report-filter">
              {i > 0 && (
                <Select
                  w={80}
                  aria-label={t("reports.filterGlue", { n })}
                  data={[
                    { value: "and", label: t("reports.and") },
                    { value: "or", label: t("reports.or") },
                  ]}
                  value={f.glue || "and"}
                  allowDeselect={false}
                  onChange={(v) => set(i, { glue: v ?? "and" })}
                />
              )}
              <Select
                aria-label={t("reports.filterColumn", { n })}
                data={cols.map((c) => ({ value: c.id, label: c.label }))}
                value={f.column}
                searchable
                allowDeselect={false}
                onChange={(v) => {
                  const nt = cols.find((c) => c.id === v)?.type ?? "text";
                  set(i, { column: v ?? "", op: options.ops[nt]?.[0] ?? "eq" });
                }}
              />
              <Select
                w={140}
                aria-label={t("reports.filterOp", { n })}
                data={ops}
                value={f.op}
                allowDeselect={false}
                onChange={(v) => set(i, { op: v ?? "eq" })}
              />
              {f.op !== "empty" && f.op !== "notEmpty" && (
                <TextInput
                  style={{ flex: 1 }}
                  aria-label={t("reports.filterValue", { n })}
                  type={type === "datetime" || type === "date" ? "date" : "text"}
                  value={f.value}
                  onChange={(e) => set(i, { value: e.currentTarget.value })}
                />
              )}
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t("reports.removeFilter", { n })}
                onClick={() => onChange({ ...def, filters: def.filters.filter((_, j) => j !== i) })}
                mb={4}
              >
                <IconTrash size={16} aria-hidden />
              </ActionIcon>
            </Group>
          );
        })}
        <Group>
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlus size={14} aria-hidden />}
            disabled={!first}
            onClick={() =>
              first &&
              onChange({
                ...def,
                filters: [
                  ...def.filters,
                  { column: first.id, op: options.ops[first.type]?.[0] ?? "eq", value: "", glue: "and" },
                ],
              })
            }
          >
            {t("reports.addFilter")}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function Aggregates({
  def,
  onChange,
  options,
  src,
}: Omit<Props, "fieldErrors"> & { src: ReportSource | undefined }) {
  const { t } = useI18n();
  const numeric = (src?.columns ?? []).filter((c) => ["int", "float", "bool"].includes(c.type));
  const any = src?.columns ?? [];
  const set = (i: number, patch: Partial<ReportDef["aggregates"][number]>) =>
    onChange({ ...def, aggregates: def.aggregates.map((a, j) => (j === i ? { ...a, ...patch } : a)) });
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>
        {t("reports.aggregates")}
      </Text>
      {def.aggregates.map((a, i) => {
        const n = i + 1;
        const cols = a.fn === "sum" || a.fn === "avg" ? numeric : any;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: aggregates have no id; order is their identity
          <Group key={i} gap="xs" wrap="nowrap">
            <Select
              w={140}
              aria-label={t("reports.aggFn", { n })}
              data={options.aggregates.map((f) => ({ value: f, label: t(`reports.fn.${f}` as Key) }))}
              value={a.fn}
              allowDeselect={false}
              onChange={(v) =>
                set(i, {
                  fn: v ?? "count",
                  column: v === "count" ? a.column : ((a.column || numeric[0]?.id) ?? ""),
                })
              }
            />
            <Select
              style={{ flex: 1 }}
              aria-label={t("reports.aggColumn", { n })}
              data={[
                ...(a.fn === "count" ? [{ value: "", label: t("reports.allRows") }] : []),
                ...cols.map((c) => ({ value: c.id, label: c.label })),
              ]}
              value={a.column}
              allowDeselect={false}
              onChange={(v) => set(i, { column: v ?? "" })}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t("reports.removeAggregate", { n })}
              onClick={() => onChange({ ...def, aggregates: def.aggregates.filter((_, j) => j !== i) })}
            >
              <IconTrash size={16} aria-hidden />
            </ActionIcon>
          </Group>
        );
      })}
      <Group>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} aria-hidden />}
          onClick={() => onChange({ ...def, aggregates: [...def.aggregates, { fn: "count", column: "" }] })}
        >
          {t("reports.addAggregate")}
        </Button>
      </Group>
    </Stack>
  );
}

/** ContactFilters edits segment filters on the rows' contacts with the segment editor. */
function ContactFilters({ def, onChange }: { def: ReportDef; onChange: (d: ReportDef) => void }) {
  const { t } = useI18n();
  const cat = useQuery({ queryKey: ["segmentCatalogue"], queryFn: () => Segments.Catalogue() });
  const segs = useQuery({ queryKey: ["segments", false], queryFn: () => Segments.List(false) });
  const initial = def.contactFilters || "[]";
  // decided once: text the editor cannot open stays a JSON text area while it is typed
  const [asJson] = useState(() => !parseable(initial));
  if (!cat.data || !segs.data) return null;
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={4}>{t("reports.contactFilters")}</Title>
        <Text size="xs" c="dimmed">
          {t("reports.contactFiltersHint")}
        </Text>
        {!asJson ? (
          // QueryEditor keeps the query being edited and reports the filter JSON back
          <QueryEditor
            initial={initial}
            onChange={(f) => onChange({ ...def, contactFilters: f === "[]" ? "" : f })}
            catalogue={cat.data}
            segments={segs.data}
            selfId=""
            emptyText=""
          />
        ) : (
          <Textarea
            label={t("segments.json")}
            autosize
            value={def.contactFilters}
            onChange={(e) => onChange({ ...def, contactFilters: e.currentTarget.value })}
          />
        )}
      </Stack>
    </Card>
  );
}
