import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "@mantine/spotlight/styles.css";
import "./app.css";
import { createTheme, MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { installBrowserBridge, type Preferences, System } from "./api";
import { defaultPrefs, PrefsProvider } from "./prefs";

installBrowserBridge();

const theme = createTheme({ primaryColor: "indigo", defaultRadius: "sm" });
const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 5_000 } },
});

async function start() {
  // The first Go binding call (the desktop smoke test waits for it).
  let prefs: Preferences = defaultPrefs;
  try {
    prefs = await System.GetPreferences();
  } catch {
    // shown later by the screens that need the backend
  }
  const el = document.getElementById("root");
  if (!el) throw new Error("no #root element");
  createRoot(el).render(
    <StrictMode>
      <MantineProvider theme={theme} defaultColorScheme="auto">
        <Notifications position="top-center" />
        <QueryClientProvider client={queryClient}>
          <PrefsProvider initial={prefs}>
            <App />
          </PrefsProvider>
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
}

void start();
