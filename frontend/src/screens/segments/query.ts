// Our filter JSON (Mautic's flat glue list, or Magpie's nested {op, children} groups) <->
// react-querybuilder's query with independent combinators (an "and"/"or" between every two
// items, exactly like Mautic's glue). Conversions are lossless for what the editor does not
// touch: each rule keeps the filter object it came from (meta.orig) and gives it back
// unchanged while its field, operator and value are unchanged.

import { noValue } from "./filters";

export type Combinator = "and" | "or";

/** A filter object as Mautic's API carries it (unknown keys are kept). */
export interface MauticFilter {
  glue?: string;
  object?: string;
  field?: string;
  type?: string;
  operator?: string;
  properties?: { filter?: unknown; [k: string]: unknown };
  filter?: unknown;
  [k: string]: unknown;
}

export interface QRule {
  id?: string;
  field: string;
  operator: string;
  value: unknown;
  meta?: { orig?: MauticFilter };
}

export interface QGroup {
  id?: string;
  not?: boolean;
  rules: QItem[];
}

export type QItem = QRule | QGroup | Combinator;

/** Field facts the conversion needs (the catalogue's object and type per alias). */
export type FieldInfo = Map<string, { object: string; type: string }>;

export const isGroup = (x: QItem): x is QGroup => typeof x === "object" && "rules" in x;
export const isRule = (x: QItem): x is QRule => typeof x === "object" && "field" in x;

function rawValue(f: MauticFilter): unknown {
  if (f.properties && "filter" in f.properties) return f.properties.filter ?? null;
  return f.filter ?? null;
}

function ruleOf(f: MauticFilter): QRule {
  return { field: f.field ?? "", operator: f.operator ?? "=", value: rawValue(f), meta: { orig: f } };
}

interface Node {
  op?: string;
  children?: unknown[];
  field?: string;
}

function joined(items: QItem[], op: Combinator): QItem[] {
  const out: QItem[] = [];
  items.forEach((it, i) => {
    if (i > 0) out.push(op);
    out.push(it);
  });
  return out;
}

function groupOf(n: Node): QGroup {
  const op = String(n.op ?? "").toLowerCase();
  const kids = (n.children ?? []) as Node[];
  if (op === "not") {
    const c = kids[0];
    if (c && !c.field) return { ...groupOf(c), not: true };
    return { not: true, rules: c ? [ruleOf(c as MauticFilter)] : [] };
  }
  const items = kids.map((c): QItem => (c.field ? ruleOf(c as MauticFilter) : groupOf(c)));
  return { rules: joined(items, op === "or" ? "or" : "and") };
}

/** fromFilters reads stored filters; null when the text is not a filter definition. */
export function fromFilters(json: string): QGroup | null {
  let data: unknown;
  try {
    data = JSON.parse(json.trim() || "[]");
  } catch {
    return null;
  }
  if (data === null) return { rules: [] };
  if (Array.isArray(data)) {
    const items: QItem[] = [];
    (data as MauticFilter[]).forEach((f, i) => {
      if (typeof f !== "object" || f === null) throw new Error(`filter ${i + 1} is not an object`);
      if (i > 0) items.push(String(f.glue ?? "").toLowerCase() === "or" ? "or" : "and");
      items.push(ruleOf(f));
    });
    return { rules: items };
  }
  if (typeof data === "object") {
    const n = data as Node;
    if (n.field) return { rules: [ruleOf(n as MauticFilter)] };
    const op = String(n.op ?? "").toLowerCase();
    if (!["and", "or", "not"].includes(op)) return null;
    return groupOf(n);
  }
  return null;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** leafOf renders a rule as a filter object; glue is set for the flat list only. */
function leafOf(r: QRule, info: FieldInfo, glue: Combinator | undefined): MauticFilter {
  const orig = r.meta?.orig;
  const value = noValue.has(r.operator) ? null : (r.value ?? null);
  if (orig && orig.field === r.field && orig.operator === r.operator && same(rawValue(orig), value)) {
    if (glue === undefined) return orig;
    const og = String(orig.glue ?? "").toLowerCase();
    if (og === glue || (og === "" && glue === "and" && !("glue" in orig))) return orig;
    return { ...orig, glue };
  }
  const def = info.get(r.field);
  const base: MauticFilter = orig && orig.field === r.field ? { ...orig } : {};
  delete base.filter;
  const out: MauticFilter = {
    ...(glue !== undefined ? { glue } : {}),
    ...base,
    object: def?.object ?? base.object ?? "lead",
    field: r.field,
    type: def?.type ?? base.type ?? "text",
    operator: r.operator,
    properties: { ...(base.properties ?? {}), filter: value },
  };
  if (glue !== undefined) out.glue = glue;
  return out;
}

/** terms splits an item list into Mautic's OR-terms: AND binds tighter than OR. */
function terms(items: QItem[]): (QRule | QGroup)[][] {
  const out: (QRule | QGroup)[][] = [[]];
  for (const it of items) {
    if (it === "or") out.push([]);
    else if (it !== "and") out[out.length - 1]?.push(it);
  }
  return out.filter((t) => t.length > 0);
}

function nodeOf(g: QGroup, info: FieldInfo): unknown {
  const child = (x: QRule | QGroup) => (isGroup(x) ? nodeOf(x, info) : leafOf(x, info, undefined));
  const ts = terms(g.rules);
  let node: unknown;
  if (ts.length <= 1) node = { op: "and", children: (ts[0] ?? []).map(child) };
  else if (ts.every((t) => t.length === 1))
    node = { op: "or", children: ts.map((t) => child(t[0] as QRule)) };
  else
    node = {
      op: "or",
      children: ts.map((t) =>
        t.length === 1 ? child(t[0] as QRule) : { op: "and", children: t.map(child) },
      ),
    };
  return g.not ? { op: "not", children: [node] } : node;
}

/** toFilters renders the query: Mautic's flat list when it has no sub-group and no NOT
 * (what Mautic can say), the nested form otherwise. */
export function toFilters(q: QGroup, info: FieldInfo): string {
  const flat = !q.not && q.rules.every((x) => !isGroup(x));
  if (flat) {
    const out: MauticFilter[] = [];
    let glue: Combinator = "and";
    for (const it of q.rules) {
      if (it === "and" || it === "or") glue = it;
      else if (isRule(it)) {
        const first = out.length === 0;
        const leaf = leafOf(it, info, glue);
        // Mautic ignores the first glue: keep whatever the stored filter had.
        out.push(
          first && it.meta?.orig && leafOf(it, info, undefined) === it.meta.orig ? it.meta.orig : leaf,
        );
        glue = "and";
      }
    }
    return JSON.stringify(out);
  }
  return JSON.stringify(nodeOf(q, info));
}

/** filterCount counts the rules of a query (nested included). */
export function filterCount(q: QGroup): number {
  return q.rules.reduce((n, x) => n + (isGroup(x) ? filterCount(x) : isRule(x) ? 1 : 0), 0);
}

/** label of a rule or group at an IC path (items at even indexes): "2" or "1.3". */
export function pathLabel(path: number[]): string {
  return path.map((i) => Math.floor(i / 2) + 1).join(".");
}
