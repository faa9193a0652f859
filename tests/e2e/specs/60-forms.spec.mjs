// Forms and assets (issue 9): the forms list, the builder (add a field, required, reorder by
// button, an action), save, preview, embed codes, the results table of a form with
// submissions and its CSV export; the assets list, upload in browser mode and the detail
// drawer with download statistics.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

let formID;
let assetID;

export async function before({ bin, dataDir, tmp }) {
  const cli = (...a) => execFileSync(bin, ["--data-dir", dataDir, ...a], { encoding: "utf8" });
  const f = join(tmp, "form.json");
  writeFileSync(
    f,
    JSON.stringify({
      name: "Contact us",
      published: true,
      fields: [
        { alias: "email", label: "Email", type: "email", mapTo: "contact.email", required: true },
        { alias: "first", label: "First name", type: "text", mapTo: "contact.firstname" },
        { alias: "message", label: "Message", type: "textarea" },
        { alias: "website", label: "Leave empty", type: "captcha" },
      ],
      actions: [{ type: "tags", add: ["contact-form"] }],
    }),
  );
  formID = JSON.parse(cli("forms", "save", f, "--json")).id;
  const pdf = join(tmp, "guide.pdf");
  writeFileSync(pdf, Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(300 * 1024, "x")]));
  assetID = JSON.parse(cli("assets", "upload", pdf, "--title", "Pricing guide", "--json")).id;
  const now = Date.now();
  execFileSync("sqlite3", [`${dataDir}/magpie.db`], {
    input: `.timeout 10000
INSERT INTO contacts(id, firstname, lastname, email, date_added, date_modified) VALUES
  ('c-ann', 'Ann', 'Martin', 'ann@example.com', ${now}, ${now}), ('c-bob', 'Bob', 'Durand', 'bob@example.com', ${now}, ${now});
INSERT INTO form_results(id, form_id, contact_id, at, url, ip, vals) VALUES
  ('r1', '${formID}', 'c-ann', ${now - 60000}, 'https://www.example.com/contact', '203.0.113.0', '{"email":"ann@example.com","first":"Ann","message":"Do you ship to Lyon?"}'),
  ('r2', '${formID}', 'c-bob', ${now}, 'https://www.example.com/contact', '198.51.100.0', '{"email":"bob@example.com","first":"Bob","message":"Pricing for 50 seats, please."}');
INSERT INTO events(id, contact_id, type, at, object_id) VALUES
  ('d1', 'c-ann', 'asset.downloaded', ${now}, '${assetID}'), ('d2', 'c-ann', 'asset.downloaded', ${now}, '${assetID}'),
  ('d3', 'c-bob', 'asset.downloaded', ${now}, '${assetID}');
`,
  });
}

export default async function ({ page, base, tmp, shot, expect }) {
  // The list.
  await page.getByRole("link", { name: "Forms" }).click();
  await page.getByRole("heading", { name: "Forms" }).waitFor();
  await page.getByTestId("form-list").getByText("Contact us").waitFor();
  await shot("forms-list");

  // A new form: add a phone field, make it required, move it up, add an action, save.
  await page.getByRole("button", { name: "New form" }).click();
  await page.getByLabel("Name").first().fill("Webinar signup");
  await page.getByRole("combobox", { name: "Field type" }).click();
  await page.getByRole("option", { name: "Phone" }).click();
  await page.getByRole("button", { name: "Add field" }).click();
  const editor = page.getByTestId("field-editor");
  await editor.getByLabel("Label").fill("Mobile phone");
  await editor.getByLabel("Required").check();
  await page.getByRole("button", { name: "Move Mobile phone up" }).click();
  const items = page.getByTestId("form-fields").getByRole("listitem");
  await items.nth(1).getByText("Mobile phone").waitFor();
  // A country field saves to the contact's country unless told otherwise.
  await page.getByRole("combobox", { name: "Field type" }).click();
  await page.getByRole("option", { name: "Country" }).click();
  await page.getByRole("button", { name: "Add field" }).click();
  expect.equal(await editor.getByRole("textbox", { name: "Save to contact or company field" }).or(editor.getByRole("combobox", { name: "Save to contact or company field" })).first().inputValue(), "Contact: Country", "a new country field's mapping");
  // A removed field comes back with the undo button.
  await page.getByRole("button", { name: "Remove Country" }).click();
  await page.getByTestId("form-fields").getByText("Country").waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Undo (Ctrl+Z)" }).click();
  await page.getByTestId("form-fields").getByText("Country", { exact: true }).waitFor();
  await shot("forms-builder");
  await page.getByRole("tab", { name: "Actions" }).click();
  await page.getByRole("button", { name: "Add action" }).click();
  await page.getByLabel("Tags to add (comma separated)").fill("webinar, lead");
  await shot("forms-actions");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Form saved").waitFor();
  await page.waitForFunction(() => /#\/forms\/[0-9a-f-]{36}$/.test(location.hash));
  await page.getByRole("tab", { name: "Preview" }).click();
  await page.frameLocator('iframe[title="Form preview"]').getByLabel("Mobile phone").waitFor();
  await shot("forms-preview");
  await page.getByRole("tab", { name: "Embed" }).click();
  await page.getByText("Script (recommended", { exact: false }).waitFor();
  await page.getByText("/form/", { exact: false }).first().waitFor();
  await shot("forms-embed-codes");

  // The seeded form's results and their export.
  await page.goto(`${base}/#/forms/${formID}?tab=results`);
  await page.getByTestId("form-results").getByText("Pricing for 50 seats, please.").waitFor();
  await page.getByText("2 submissions").waitFor();
  await shot("forms-results");
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  const csv = join(tmp, "results.csv");
  await dl.saveAs(csv);
  const text = (await import("node:fs")).readFileSync(csv, "utf8");
  if (!text.includes("Do you ship to Lyon?") || !text.includes("First name")) throw new Error(`export: ${text}`);

  // Assets: list with download counts, upload, detail.
  await page.getByRole("link", { name: "Assets" }).click();
  await page.getByTestId("asset-list").getByText("Pricing guide").waitFor();
  await page.getByRole("button", { name: "Upload a file" }).click();
  const pdf = join(tmp, "brochure.pdf");
  writeFileSync(pdf, Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(1024, "y")]));
  await page.locator('.mantine-Modal-content input[type="file"]').setInputFiles(pdf);
  await page.getByRole("dialog").getByRole("button", { name: "Upload", exact: true }).click();
  await page.getByText("Asset saved").first().waitFor();
  await page.getByRole("dialog", { name: "Asset" }).getByText("/asset/brochure").waitFor();
  await page.goto(`${base}/#/assets/${assetID}`);
  await page.getByTestId("asset-stats").getByText("3 downloads by 2 contacts").waitFor();
  await shot("assets-detail");
  await page.goto(`${base}/#/assets`);
  await page.getByTestId("asset-list").getByRole("link", { name: "brochure" }).waitFor();
  await shot("assets-list");
}
