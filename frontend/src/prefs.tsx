// Preferences (theme, language, grid columns) live in the backend (System.GetPreferences), so
// the window and the browser share them.
import { useMantineColorScheme } from "@mantine/core";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { type Preferences, System } from "./api";
import { I18nProvider, type Lang, systemLang } from "./i18n";

interface PrefsCtx {
  prefs: Preferences;
  update: (p: Partial<Preferences>) => Promise<void>;
}

const Ctx = createContext<PrefsCtx | null>(null);

export const defaultPrefs: Preferences = { theme: "auto", language: "", gridColumns: [], gridWidths: {} };

export function PrefsProvider({ initial, children }: { initial: Preferences; children: ReactNode }) {
  const [prefs, setPrefs] = useState<Preferences>({ ...defaultPrefs, ...initial });
  const { setColorScheme } = useMantineColorScheme();
  useEffect(() => {
    setColorScheme(prefs.theme === "light" || prefs.theme === "dark" ? prefs.theme : "auto");
  }, [prefs.theme, setColorScheme]);
  const update = useCallback(
    async (p: Partial<Preferences>) => {
      const next = { ...prefs, ...p };
      setPrefs(next);
      await System.SetPreferences(next);
    },
    [prefs],
  );
  const lang: Lang = prefs.language === "fr" || prefs.language === "en" ? prefs.language : systemLang();
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return (
    <Ctx.Provider value={{ prefs, update }}>
      <I18nProvider lang={lang}>{children}</I18nProvider>
    </Ctx.Provider>
  );
}

export function usePrefs(): PrefsCtx {
  const v = useContext(Ctx);
  if (!v) throw new Error("usePrefs outside PrefsProvider");
  return v;
}
