// Grid columns: two virtual ones (name, tags), the record dates, and every contact field.
import type { ContactRow, Field } from "../../api";

export interface Column {
  id: string; // "name", "tags", "date_added" or a field alias
  label: string;
  sort?: string; // the backend sort key (contacts.Sorts), if sortable
  width: number;
  field?: Field;
}

// Backend sort keys (backend/contacts/list.go Sorts) by column id.
const sortKeys: Record<string, string> = {
  name: "lastname",
  firstname: "firstname",
  lastname: "lastname",
  email: "email",
  company: "company",
  city: "city",
  country: "country",
  points: "points",
  last_active: "last_active",
  date_added: "date_added",
  date_modified: "date_modified",
};

export const defaultColumns = [
  "name",
  "email",
  "company",
  "city",
  "country",
  "points",
  "tags",
  "last_active",
];

const widths: Record<string, number> = { name: 220, email: 260, tags: 200, points: 90, country: 150 };

export function buildColumns(
  fields: Field[],
  lang: string,
  labels: { name: string; tags: string; dateAdded: string },
): Column[] {
  const cols: Column[] = [
    { id: "name", label: labels.name, sort: sortKeys.name, width: widths.name ?? 180 },
    { id: "tags", label: labels.tags, width: widths.tags ?? 180 },
    { id: "date_added", label: labels.dateAdded, sort: sortKeys.date_added, width: 170 },
  ];
  for (const f of fields) {
    cols.push({
      id: f.alias,
      label: (lang === "fr" && f.labelFr) || f.label,
      sort: sortKeys[f.alias],
      width: widths[f.alias] ?? (f.type === "datetime" ? 170 : 160),
      field: f,
    });
  }
  return cols;
}

/** pickColumns keeps the chosen ids that exist, in the chosen order (defaults when none). */
export function pickColumns(all: Column[], chosen: string[] | undefined): Column[] {
  const byId = new Map(all.map((c) => [c.id, c]));
  const ids = chosen && chosen.length > 0 ? chosen : defaultColumns;
  const out = ids.map((id) => byId.get(id)).filter((c): c is Column => c !== undefined);
  return out.length > 0 ? out : all.slice(0, 1);
}

// The display name is built from these, so they are always loaded.
const nameFields = ["firstname", "lastname", "email", "company"];

/** backendColumns are the field aliases the grid needs the backend to load. */
export function backendColumns(cols: Column[]): string[] {
  const out = [...nameFields];
  for (const c of cols) if (c.field && c.id !== "points" && !out.includes(c.id)) out.push(c.id);
  return out;
}

/** cellText renders a cell as text. */
export function cellText(
  row: ContactRow,
  col: Column,
  fmtDate: (iso: string) => string,
  fmtNumber: (n: number) => string,
  anonymous: string,
  country: (v: string) => string = (v) => v,
): string {
  switch (col.id) {
    case "name":
      return row.name || (row.anonymous ? anonymous : "");
    case "tags":
      return row.tags.join(", ");
    case "points":
      return fmtNumber(row.points);
    case "date_added":
      return fmtDate(row.dateAdded);
    case "last_active":
      return fmtDate(row.lastActive);
  }
  const v = row.values?.[col.id];
  if (v === null || v === undefined) return "";
  if (col.field?.type === "boolean") return v ? "✓" : "✗";
  if (col.field?.type === "multiselect") return String(v).split("|").join(", ");
  if (col.field?.type === "number" && typeof v === "number") return fmtNumber(v);
  if (col.field?.type === "datetime" && typeof v === "string") return v.replace("T", " ").replace(/Z$/, "");
  if (col.field?.type === "country") return country(String(v));
  return String(v);
}

/** Bounds of a column width (pixels; the backend refuses others). */
export const MIN_WIDTH = 48;
export const MAX_WIDTH = 2000;

export function clampWidth(w: number): number {
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w)));
}

/** withWidths applies the saved widths (Preferences.gridWidths) to the columns. */
export function withWidths(cols: Column[], widths: Record<string, number> | undefined): Column[] {
  if (!widths) return cols;
  return cols.map((c) => {
    const w = widths[c.id];
    return w ? { ...c, width: clampWidth(w) } : c;
  });
}

/** setWidth returns the saved widths with one column changed (null = back to the default). */
export function setWidth(
  widths: Record<string, number> | undefined,
  id: string,
  w: number | null,
): Record<string, number> {
  const next = { ...(widths ?? {}) };
  if (w === null) delete next[id];
  else next[id] = clampWidth(w);
  return next;
}
