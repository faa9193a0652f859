import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { en } from "./en";
import { fr } from "./fr";
import { errorText, format, translate } from "./index";

describe("format", () => {
  it.each([
    ["{n} contacts", { n: 3 }, "3 contacts"],
    ["{a} and {b}", { a: 1 }, "1 and {b}"],
    ["no params", undefined, "no params"],
  ])("%s", (s, p, want) => {
    expect(format(s, p)).toBe(want);
  });
});

describe("translate", () => {
  it("uses the language, then the fallback, then the key", () => {
    expect(translate("fr", "nav.companies")).toBe("Entreprises");
    expect(translate("en", "nav.companies")).toBe("Companies");
    expect(translate("fr", "no.such.key", {}, "fallback {x}")).toBe("fallback {x}");
    expect(translate("fr", "no.such.key")).toBe("no.such.key");
  });
  it("French has every English key, none empty", () => {
    for (const k of Object.keys(en)) {
      expect(fr[k as keyof typeof fr], k).toBeTruthy();
    }
  });
});

describe("errorText", () => {
  it.each([
    [
      new ApiError({ code: "internal", key: "errors.internal", message: "x", ref: "ab12" }),
      "fr",
      "Erreur interne (référence ab12)",
    ],
    [
      new ApiError({ code: "invalid", key: "unknown.key", message: "email is not valid" }),
      "en",
      "email is not valid",
    ],
    [
      new ApiError({ code: "unavailable", key: "errors.desktopOnly", message: "x" }),
      "en",
      "Only available in the desktop app.",
    ],
    [new Error("boom"), "en", "boom"],
  ] as const)("%#", (e, lang, want) => {
    expect(errorText(lang, e)).toBe(want);
  });
});
