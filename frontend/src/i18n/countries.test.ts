import { describe, expect, it } from "vitest";
import { countryLabel, countryNames, countryOptions } from "./countries";

const list = [
  { code: "DE", name: "Germany", nameFr: "Allemagne" },
  { code: "CI", name: "Côte d’Ivoire", nameFr: "Côte d’Ivoire" },
  { code: "EG", name: "Egypt", nameFr: "Égypte" },
  { code: "US", name: "United States", nameFr: "États-Unis" },
];

describe("country names", () => {
  it.each([
    { lang: "fr" as const, v: "Germany", want: "Allemagne" },
    { lang: "fr" as const, v: "germany", want: "Allemagne" },
    { lang: "fr" as const, v: "US", want: "États-Unis" },
    { lang: "en" as const, v: "Allemagne", want: "Germany" },
    { lang: "en" as const, v: "egypte", want: "Egypt" },
    { lang: "fr" as const, v: "Atlantis", want: "Atlantis" },
    { lang: "fr" as const, v: "", want: "" },
  ])("$v in $lang → $want", ({ lang, v, want }) => {
    expect(countryLabel(countryNames(list, lang), v)).toBe(want);
  });
  it("picker keeps the stored English name as value and sorts by the French label", () => {
    const opts = countryOptions(list, "fr");
    expect(opts.map((o) => o.label)).toEqual(["Allemagne", "Côte d’Ivoire", "Égypte", "États-Unis"]);
    expect(opts[0]?.value).toBe("Germany");
  });
});
