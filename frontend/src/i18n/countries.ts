// Country names in the UI language. Values stay as Mautic stores them (the English name);
// only what is shown changes. The table comes from the backend (fields.Countries: ISO code,
// English and French names), so a stored name always finds its translation; an unknown
// value is shown as stored.
import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { Fields } from "../api";
import type { Lang } from "./index";

export interface Country {
  code: string;
  name: string;
  nameFr: string;
}

/** foldKey compares names as the backend does: case and accents ignored. */
export function foldKey(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

/** countryNames maps every stored spelling (English name, French name, ISO code) to the name in lang. */
export function countryNames(list: Country[], lang: Lang): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of list) {
    const label = lang === "fr" ? c.nameFr || c.name : c.name;
    for (const k of [c.code, c.name, c.nameFr]) if (k) m.set(foldKey(k), label);
  }
  return m;
}

/** countryLabel is a stored country value in the UI language (unknown values as stored). */
export function countryLabel(names: Map<string, string>, value: string): string {
  if (!value) return value;
  return names.get(foldKey(value)) ?? value;
}

/** countryOptions are picker options: the stored (English) name as value, sorted by label in lang. */
export function countryOptions(list: Country[], lang: Lang): { value: string; label: string }[] {
  const coll = new Intl.Collator(lang, { sensitivity: "base" });
  return list
    .map((c) => ({ value: c.name, label: lang === "fr" ? c.nameFr || c.name : c.name }))
    .sort((a, b) => coll.compare(a.label, b.label));
}

export function useCountries(enabled = true) {
  return useQuery({
    queryKey: ["countries"],
    queryFn: () => Fields.Countries(),
    staleTime: Number.POSITIVE_INFINITY,
    enabled,
  });
}

/** useCountryLabel returns value → country name in lang (identity until the table loads). */
export function useCountryLabel(lang: Lang): (value: string) => string {
  const q = useCountries();
  const names = useMemo(() => countryNames(q.data ?? [], lang), [q.data, lang]);
  return useCallback((v: string) => countryLabel(names, v), [names]);
}
