// Pure helpers of the report builder (tested in model.test.ts).
import type { ReportColumn, ReportDef, ReportSource, ReportView } from "../../api/reports";

export function blankDef(src: ReportSource | undefined): ReportDef {
  return {
    source: src?.id ?? "",
    columns: [...(src?.defaults ?? [])],
    filters: [],
    contactFilters: "",
    groupBy: [],
    aggregates: [],
    orderBy: [],
    summarySort: "",
    summaryLimit: 0,
    dateFrom: "",
    dateTo: "",
    graph: "",
  };
}

export function blankReport(src: ReportSource | undefined): ReportView {
  return {
    id: "",
    name: "",
    description: "",
    definition: blankDef(src),
    schedule: { every: "", weekday: 1, day: 1, hour: 6, format: "xlsx", folder: "", emails: [], lang: "" },
    dateAdded: "",
    dateModified: "",
    deleted: false,
    lastRunAt: "",
    lastStatus: "",
    lastError: "",
    lastPath: "",
    nextRunAt: "",
  };
}

/** switchSource keeps what still exists in the new source and takes its defaults otherwise. */
export function switchSource(def: ReportDef, src: ReportSource): ReportDef {
  const has = new Set(src.columns.map((c) => c.id));
  const keep = def.columns.filter((c) => has.has(c));
  return {
    ...blankDef(src),
    columns: keep.length > 0 ? keep : [...src.defaults],
    contactFilters: src.contactFilters ? def.contactFilters : "",
    dateFrom: def.dateFrom,
    dateTo: def.dateTo,
    graph: def.graph,
  };
}

/** splitGroup reads "at:month" as the column and its bucket. */
export function splitGroup(g: string): { col: string; bucket: string } {
  const i = g.indexOf(":");
  return i < 0 ? { col: g, bucket: "" } : { col: g.slice(0, i), bucket: g.slice(i + 1) };
}

/** cellText formats a value of a column for the preview table. */
export function cellText(
  col: Pick<ReportColumn, "type">,
  v: unknown,
  fmtNumber: (n: number) => string,
): string {
  if (v === null || v === undefined) return "";
  if (col.type === "datetime" && typeof v === "string")
    return v.replace("T", " ").replace(/Z$/, "").slice(0, 19);
  if (col.type === "date" && typeof v === "string") return v.slice(0, 10);
  if (col.type === "bool") return v ? "✓" : "";
  if (typeof v === "number") return fmtNumber(Math.round(v * 100) / 100);
  return String(v);
}

export const numericTypes = new Set(["int", "float"]);
