import { describe, expect, it } from "vitest";
import { exportFields } from "./ExportDialog";
import { displayName } from "./ImportHistory";
import { duplicateTargets } from "./ImportWizard";

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
