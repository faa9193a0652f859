// Import wizard: columns mapped to company fields create and link companies (Mautic's
// company fields in a contact import); one column is mapped by hand to a company field.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export default async function ({ page, rpc, expect, shot, tmp, openImport }) {
  const csv = join(tmp, "with-companies.csv");
  writeFileSync(
    csv,
    "email;Prénom;Company Name;Company City;Effectif\n" +
      "zoe@acme.example;Zoé;Acme SA;Lyon;120\n" +
      "ann@acme.example;Ann;ACME sa;;130\n" +
      "bob@globex.example;Bob;Globex;Nîmes;\n",
  );
  await openImport(csv);
  const field = (col) => page.locator(`input[aria-label="Field for column ${col}"]`);
  await page.waitForFunction(
    () => document.querySelector('input[aria-label="Field for column Company Name"]')?.value === "Company · Name",
  );
  expect.equal(await field("Company City").inputValue(), "Company · City", "auto-mapped company city");
  // "Effectif" (head count) is not recognised: map it by hand.
  await field("Effectif").click();
  await field("Effectif").fill("employees");
  await page.getByRole("option", { name: "Company · Number of Employees" }).click();
  await shot("import-company-mapping");
  await page.getByRole("button", { name: "Start the import" }).click();
  await page.getByTestId("import-result").waitFor({ timeout: 60_000 });

  const list = await rpc("Companies.List", { search: "", sort: "name", desc: false, offset: 0, limit: 10, deleted: false });
  const names = list.rows.map((c) => `${c.name}|${c.values.companycity ?? ""}|${c.values.companynumber_of_employees ?? ""}|${c.contacts}`);
  expect.equal(names.join(", "), "Acme SA|Lyon|130|2, Globex|Nîmes||1", "companies created, merged by name and linked");
}
