// Conversions between stored field values (as the backend returns them) and the text the
// editors show and send back (the backend parses text per field type).
import type { Field } from "../../api";

/** toText turns a stored value into editor text. */
export function toText(f: Pick<Field, "type">, v: unknown): string {
  if (v === null || v === undefined) return "";
  switch (f.type) {
    case "boolean":
      return v === true || v === 1 || v === "1" ? "1" : v === false || v === 0 || v === "0" ? "0" : "";
    case "datetime": {
      const s = String(v); // "YYYY-MM-DD HH:MM:SS" (UTC) → datetime-local "YYYY-MM-DDTHH:MM"
      const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})/.exec(s);
      return m ? `${m[1]}T${m[2]}` : s;
    }
    case "time":
      return String(v).slice(0, 5);
    default:
      return String(v);
  }
}

/** changedValues returns the fields whose text differs from the original ("" clears). */
export function changedValues(
  orig: Record<string, string>,
  edited: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(edited)) {
    if ((orig[k] ?? "") !== v) out[k] = v;
  }
  return out;
}

/** groupFields splits fields by group in the backend's group order, then position. */
export function groupFields(
  fs: Field[],
  order = ["core", "social", "personal", "professional"],
): [string, Field[]][] {
  const groups = new Map<string, Field[]>();
  for (const f of [...fs].sort((a, b) => a.position - b.position)) {
    const g = f.group || "core";
    const list = groups.get(g) ?? [];
    list.push(f);
    groups.set(g, list);
  }
  const rank = (g: string) => {
    const i = order.indexOf(g);
    return i < 0 ? order.length : i;
  };
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
}

/** fieldLabel is the label in the UI language. */
export function fieldLabel(f: Pick<Field, "label" | "labelFr">, lang: string): string {
  return (lang === "fr" && f.labelFr) || f.label;
}
