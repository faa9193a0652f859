import { describe, expect, it } from "vitest";
import { ApiError } from "../../api";
import { emailErrorText, issueText } from "./errors";

describe("emailErrorText", () => {
  it("lists each invalid field in the UI language", () => {
    const e = new ApiError({
      code: "invalid",
      key: "errors.fields",
      message: "fromAddress: bad",
      fields: { fromAddress: "emails.errors.fromAddress", subject: "emails.errors.subject" },
    });
    expect(emailErrorText("fr", e)).toBe(
      "Veuillez vérifier : L'adresse de l'expéditeur n'est pas une adresse e-mail ; L'objet contient un saut de ligne",
    );
    expect(emailErrorText("en", e)).toContain("The from address is not an email address");
  });
  it("translates sending errors with their details", () => {
    const e = new ApiError({
      code: "unavailable",
      key: "emails.errors.smtpDown",
      message: "x",
      params: { host: "smtp.example", port: 587, detail: "connection refused", n: 3 },
    });
    expect(emailErrorText("fr", e)).toBe(
      "Le serveur SMTP smtp.example:587 est injoignable (connection refused) ; 3 messages seront réessayés plus tard",
    );
  });
});

describe("issueText", () => {
  it("translates the key, the part by its field label, and falls back on the detail", () => {
    const i = {
      code: "unknown_token",
      severity: "error",
      detail: "subject: {bogus}",
      key: "emails.check.unknown_token",
      params: { part: "subject", token: "{bogus}" },
    };
    expect(issueText("fr", i)).toBe("Objet : jeton inconnu {bogus}");
    expect(issueText("en", i)).toBe("Subject: unknown token {bogus}");
    expect(issueText("fr", { ...i, key: "emails.check.nosuch" })).toBe("subject: {bogus}");
  });
});
