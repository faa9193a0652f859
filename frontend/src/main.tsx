// The entry module stays tiny so the window paints and reaches Go at once: index.html
// already shows the shell's outline, this module installs the browser bridge, asks Go for
// the preferences (the first binding call, which the desktop smoke test waits for) while
// the app's code (boot.tsx: React, Mantine, the screens) loads in parallel.

import { type BootPreferences, bootPreferences } from "./api/boot";
import { installBrowserBridge } from "./api/bridge";

installBrowserBridge();

const fallback: BootPreferences = { theme: "auto", language: "", gridColumns: [], gridWidths: {} };

async function start() {
  const app = import("./boot");
  let prefs = fallback;
  try {
    prefs = { ...fallback, ...(await bootPreferences()) };
  } catch {
    // shown later by the screens that need the backend
  }
  const el = document.getElementById("root");
  if (!el) throw new Error("no #root element");
  (await app).mount(el, prefs);
}

void start();
