// Segment filter rows <-> Mautic's flat filter list (the JSON the backend stores).

export interface FieldDef {
  alias: string;
  object: string;
  group: string;
  type: string;
  operators: string[];
  options: Record<string, string>[];
}

export interface FilterRow {
  key: number;
  glue: "and" | "or";
  field: string;
  object: string;
  type: string;
  operator: string;
  value: string | string[];
}

/** The operators that take no value. */
export const noValue = new Set(["empty", "!empty"]);

/** The operators whose value is a list. */
export const listOps = new Set(["in", "!in", "anyOf", "allOf", "noneOf", "notAllOf"]);

export type ValueKind = "none" | "text" | "number" | "date" | "yesno" | "list" | "select";

/** valueKind picks the value editor for a field type and operator. */
export function valueKind(type: string, operator: string): ValueKind {
  if (noValue.has(operator)) return "none";
  if (type === "yesno" || type === "boolean") return "yesno";
  if (
    (type === "date" || type === "datetime") &&
    !["like", "!like", "regexp", "!regexp", "startsWith", "endsWith", "contains"].includes(operator)
  )
    return "date";
  if (listOps.has(operator)) return "list";
  if (type === "select" && (operator === "=" || operator === "!=")) return "select";
  if (type === "number") return "number";
  return "text";
}

let nextKey = 1;

/** newRow makes a row for field (first operator, empty value). */
export function newRow(f: FieldDef, glue: "and" | "or" = "and"): FilterRow {
  const operator = f.operators[0] ?? "=";
  return {
    key: nextKey++,
    glue,
    field: f.alias,
    object: f.object,
    type: f.type,
    operator,
    value: emptyValue(f.type, operator),
  };
}

export function emptyValue(type: string, operator: string): string | string[] {
  const k = valueKind(type, operator);
  if (k === "list") return [];
  if (k === "yesno") return "1";
  return "";
}

/** toMautic renders rows as Mautic's flat list (JSON text). */
export function toMautic(rows: FilterRow[]): string {
  return JSON.stringify(
    rows.map((r) => ({
      glue: r.glue,
      object: r.object,
      field: r.field,
      type: r.type,
      operator: r.operator,
      properties: { filter: noValue.has(r.operator) ? null : r.value },
    })),
  );
}

interface MauticFilter {
  glue?: string;
  object?: string;
  field?: string;
  type?: string;
  operator?: string;
  properties?: { filter?: unknown };
  filter?: unknown;
}

/** fromMautic reads a stored flat list; it returns null for nested groups (edited as JSON). */
export function fromMautic(json: string, defs: Map<string, FieldDef>): FilterRow[] | null {
  let data: unknown;
  try {
    data = JSON.parse(json || "[]");
  } catch {
    return null;
  }
  if (!Array.isArray(data)) return null;
  return (data as MauticFilter[]).map((f) => {
    const def = defs.get(f.field ?? "");
    const operator = f.operator ?? "=";
    const raw = f.properties?.filter ?? f.filter ?? null;
    const type = def?.type ?? f.type ?? "text";
    let value: string | string[];
    if (valueKind(type, operator) === "list") {
      value = Array.isArray(raw) ? raw.map(String) : raw == null || raw === "" ? [] : String(raw).split("|");
    } else {
      value = Array.isArray(raw) ? String(raw[0] ?? "") : raw == null ? "" : String(raw);
    }
    return {
      key: nextKey++,
      glue: f.glue === "or" ? "or" : "and",
      field: f.field ?? "",
      object: def?.object ?? f.object ?? "lead",
      type,
      operator,
      value,
    };
  });
}

/** groups splits rows into Mautic's OR-groups (for display): AND binds tighter than OR. */
export function groups(rows: FilterRow[]): FilterRow[][] {
  const out: FilterRow[][] = [];
  rows.forEach((r, i) => {
    if (i === 0 || r.glue === "or") out.push([]);
    out[out.length - 1]?.push(r);
  });
  return out;
}
