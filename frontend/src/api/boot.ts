// The one call the tiny entry module makes before the app's code has loaded: the UI
// preferences (theme, language). Kept free of the other bindings so the entry stays small.
import { GetPreferences } from "../../wailsjs/go/app/System";
import type { app } from "../../wailsjs/go/models";

export type BootPreferences = app.Preferences;

export function bootPreferences(): Promise<BootPreferences> {
  return GetPreferences();
}
