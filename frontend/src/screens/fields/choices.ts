// Value lists shared by the field editors and the filter editor.

let timezones: string[] | null = null;

/** allTimezones lists the IANA zones the browser knows, UTC first. */
export function allTimezones(): string[] {
  if (!timezones) {
    const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
    timezones = [
      "UTC",
      ...(intl.supportedValuesOf?.("timeZone") ?? ["Europe/Paris", "Europe/London", "America/New_York"]),
    ];
  }
  return timezones;
}

/** withStored keeps a stored value the list does not know (e.g. "USA" from an import) pickable. */
export function withStored(data: { value: string; label: string }[], value: string) {
  if (!value || data.length === 0 || data.some((d) => d.value === value)) return data;
  return [{ value, label: value }, ...data];
}
