import { describe, expect, it } from "vitest";
import { exportFields } from "./ExportDialog";
import { displayName } from "./ImportHistory";
import { duplicateTargets, rejectionText, targetOptions } from "./ImportWizard";

describe("io helpers", () => {
  it.each([
    [["email", "firstname", "", "email", "tags", "tags"], ["email"]],
    [["email", "lastname", ""], []],
  ])("duplicateTargets(%j)", (m, want) => expect(duplicateTargets(m)).toEqual(want));
  it("exportFields expands name and drops record dates", () => {
    expect(exportFields(["name", "email", "date_added", "tags", "firstname"])).toEqual([
      "firstname",
      "lastname",
      "email",
      "tags",
    ]);
  });
  it.each([
    ["01a2472e-7c27-704d-ab74-9acb953d8ae4-contacts-fr.csv", "contacts-fr.csv"],
    ["plain.csv", "plain.csv"],
  ])("displayName(%s)", (f, want) => expect(displayName(f)).toBe(want));
});

describe("targetOptions", () => {
  const targets = [
    { value: "email", label: "Email", labelFr: "E-mail" },
    { value: "company:companyname", label: "Company Name", labelFr: "Nom de la société" },
    { value: "company:companycity", label: "City", labelFr: "Ville" },
  ];
  it.each([
    { lang: "en", want: ["Email", "Company · Name", "Company · City"] },
    { lang: "fr", want: ["E-mail", "Société · Nom", "Société · Ville"] },
  ])("groups contact and company fields ($lang)", ({ lang, want }) => {
    const words =
      lang === "fr"
        ? { skip: "—", contact: "Contact", company: "Société" }
        : { skip: "—", contact: "Contact", company: "Company" };
    const opts = targetOptions(targets, lang, words);
    const labels = (opts as { items?: { label: string }[] }[]).flatMap((o) =>
      (o.items ?? []).map((i) => i.label),
    );
    expect(labels).toEqual(want);
    expect(opts[0]).toEqual({ value: "", label: "—" });
  });
  it("has no company group without company targets", () => {
    expect(targetOptions(targets.slice(0, 1), "en", { skip: "", contact: "C", company: "Co" })).toHaveLength(
      2,
    );
  });
});

describe("rejectionText", () => {
  it("says each cell's problem in the UI language, the English reason otherwise", () => {
    const x = {
      reason: 'Points: "beaucoup" is not a number; Country: "Atlantis" is not a country',
      problems: [
        { label: "Points", key: "fields.errors.number", value: "beaucoup" },
        { label: "Country", key: "fields.errors.country", value: "Atlantis" },
      ],
    };
    expect(rejectionText("fr", x)).toBe(
      "Points : Ce n'est pas un nombre (« beaucoup ») ; Country : Pays inconnu (« Atlantis »)",
    );
    expect(rejectionText("en", x)).toBe(
      "Points: Not a number (“beaucoup”); Country: Not a country (“Atlantis”)",
    );
    expect(rejectionText("fr", { reason: "malformed CSV: bare quote" })).toBe("malformed CSV: bare quote");
  });
});
