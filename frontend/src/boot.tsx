// The app proper, loaded by main.tsx right after the first paint: React, Mantine, the shell.
import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "@mantine/spotlight/styles.css";
import "./app.css";
import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import type { Preferences } from "./api";
import { PrefsProvider } from "./prefs";
import { cssVariablesResolver, LocalizedTheme, theme } from "./theme";

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 5_000 } },
});

export function mount(el: HTMLElement, prefs: Preferences) {
  createRoot(el).render(
    <StrictMode>
      <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto">
        <QueryClientProvider client={queryClient}>
          <PrefsProvider initial={prefs}>
            <LocalizedTheme>
              <Notifications position="top-center" />
              <App />
            </LocalizedTheme>
          </PrefsProvider>
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
}
