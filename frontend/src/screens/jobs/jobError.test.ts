import { describe, expect, it } from "vitest";
import { jobErrorText } from "./JobProgress";

describe("jobErrorText", () => {
  it("says a keyed failure in the UI language and falls back on the English text", () => {
    const failed = { error: "2 fields are invalid", errorKey: "errors.fields", errorParams: { count: 2 } };
    expect(jobErrorText("fr", failed)).toBe("Vérifiez les champs signalés (2)");
    expect(jobErrorText("fr", { error: "disk full" })).toBe("disk full");
    expect(jobErrorText("fr", { error: "disk full", errorKey: "no.such.key" })).toBe("disk full");
  });
});
