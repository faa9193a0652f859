// Custom field manager (add a select field, see a validation error, use it on a new contact)
// and the trash (delete, then restore).
export default async function ({ page, rpc, expect, shot }) {
  await page.getByRole("navigation").getByRole("link", { name: "Custom fields" }).click();
  await page.getByTestId("fields-contact").waitFor();
  await page.getByRole("button", { name: "New field" }).click();
  const dlg = page.getByRole("dialog");
  await dlg.getByLabel(/^Label\s*\*?$/).fill("Plan");
  await dlg.getByLabel("Label in French").fill("Formule");
  await dlg.getByTestId("field-type").click();
  await page.getByRole("option", { name: "Select", exact: true }).click();
  // No choices yet: the backend refuses and says why, next to the field.
  await dlg.getByRole("button", { name: "Create" }).click();
  await dlg.getByText("Add at least one choice").waitFor();
  await dlg.getByLabel("Choices").fill("Free|free\nPro|pro\nEnterprise|ent");
  await shot("field-editor");
  await dlg.getByRole("button", { name: "Create" }).click();
  await page.getByTestId("fields-contact").getByText("plan", { exact: true }).waitFor();
  await shot("fields");
  const plan = (await rpc("Fields.List", "contact")).find((f) => f.alias === "plan");
  expect.equal(plan.labelFr, "Formule", "the field's French label");

  // A new contact using it.
  await page.goto(page.url().replace(/#.*$/, "#/contacts/new"));
  await page.locator('input[data-field="firstname"]').fill("Chloé");
  await page.locator('input[data-field="lastname"]').fill("Nguyễn");
  await page.locator('input[data-field="email"]').fill("chloe@exemple.fr");
  await page.locator('input[data-field="plan"]').click();
  await page.getByRole("option", { name: "Pro" }).click();
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByTestId("contact-name").getByText("Chloé Nguyễn").waitFor();
  expect.equal(await page.getByTestId("value-plan").textContent(), "pro", "plan value");

  // Trash: delete through the API, restore in the UI.
  const list = await rpc("Contacts.List", { search: "chloe", limit: 10 });
  await rpc("Contacts.Delete", { ids: [list.rows[0].id] });
  await page.getByRole("navigation").getByRole("link", { name: "Trash" }).click();
  await page.getByTestId("trash-contacts").getByText("Chloé Nguyễn").waitFor();
  await shot("trash");
  await page.getByRole("checkbox", { name: "Select Chloé Nguyễn" }).check();
  await page.getByRole("button", { name: "Restore (1)" }).click();
  await page.getByText("The trash is empty").waitFor();
  const after = await rpc("Contacts.List", { search: "chloe", limit: 10 });
  expect.equal(after.total, 1, "restored contact is live again");

  // Delete from the contact page, then undo from the notification.
  await page.goto(page.url().replace(/#.*$/, `#/contacts/${after.rows[0].id}`));
  await page.getByTestId("contact-name").waitFor();
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByText("Moved to the trash.").waitFor();
  expect.equal((await rpc("Contacts.List", { search: "chloe", limit: 10 })).total, 0, "deleted from the page");
  await page.getByRole("button", { name: "Undo" }).click();
  await page.getByTestId("contact-name").getByText("Chloé Nguyễn").waitFor();
  expect.equal((await rpc("Contacts.List", { search: "chloe", limit: 10 })).total, 1, "undo restores");
}
