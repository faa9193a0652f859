// Value-editor rules shared by the filter editor (QueryEditor) and its query conversion.

export interface FieldDef {
  alias: string;
  object: string;
  group: string;
  type: string;
  /** the field's own type (country, timezone …) when the filter is a field */
  fieldType?: string;
  operators: string[];
  options: Record<string, string>[];
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
  if ((type === "select" || type === "lookup_id") && (operator === "=" || operator === "!=")) return "select";
  if (type === "number") return "number";
  return "text";
}

/** emptyValue is the value a new filter of this type and operator starts with. */
export function emptyValue(type: string, operator: string): string | string[] {
  const k = valueKind(type, operator);
  if (k === "list") return [];
  if (k === "yesno") return "1";
  return "";
}
