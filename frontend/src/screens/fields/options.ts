// Select options are typed one per line: "Label" or "Label|value".
export interface Opt {
  label: string;
  value: string;
}

export function parseOptions(text: string): Opt[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const i = l.lastIndexOf("|");
      if (i < 0) return { label: l, value: l };
      const label = l.slice(0, i).trim();
      const value = l.slice(i + 1).trim();
      return { label: label || value, value: value || label };
    });
}

export function formatOptions(opts: Opt[]): string {
  return opts.map((o) => (o.label === o.value ? o.value : `${o.label}|${o.value}`)).join("\n");
}

export const optionTypes = ["select", "multiselect", "lookup"];
