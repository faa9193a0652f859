import { createContext, type ReactNode, useCallback, useContext, useMemo } from "react";
import { ApiError } from "../api";
import { en, type Key } from "./en";
import { fr } from "./fr";

export type Lang = "en" | "fr";
export type { Key } from "./en";

const dicts: Record<Lang, Record<Key, string>> = { en, fr };

/** format fills {name} placeholders; unknown placeholders are left visible. */
export function format(s: string, params?: Record<string, unknown>): string {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function isKey(k: string): k is Key {
  return k in en;
}

/** translate looks key up in lang, then English, then returns the fallback (or the key). */
export function translate(
  lang: Lang,
  key: string,
  params?: Record<string, unknown>,
  fallback?: string,
): string {
  const s = isKey(key) ? (dicts[lang][key] ?? en[key]) : undefined;
  return format(s ?? fallback ?? key, params);
}

/** errorText is the sentence to show for a failed call, in lang. */
export function errorText(lang: Lang, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === "internal" && e.ref) return translate(lang, "errors.internal", { ref: e.ref });
    return translate(lang, e.key, { ...e.params }, e.message);
  }
  return e instanceof Error ? e.message : String(e);
}

/** systemLang picks French when the browser prefers it. */
export function systemLang(): Lang {
  const l = typeof navigator !== "undefined" ? navigator.language : "en";
  return l.toLowerCase().startsWith("fr") ? "fr" : "en";
}

interface I18n {
  lang: Lang;
  t: (key: Key, params?: Record<string, unknown>) => string;
  te: (e: unknown) => string;
  fmtNumber: (n: number) => string;
  fmtDate: (iso: string) => string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ lang, children }: { lang: Lang; children: ReactNode }) {
  const t = useCallback((key: Key, params?: Record<string, unknown>) => translate(lang, key, params), [lang]);
  const value = useMemo<I18n>(() => {
    const nf = new Intl.NumberFormat(lang);
    const df = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
    return {
      lang,
      t,
      te: (e) => errorText(lang, e),
      fmtNumber: (n) => nf.format(n),
      fmtDate: (iso) => (iso ? df.format(new Date(iso)) : ""),
    };
  }, [lang, t]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}
