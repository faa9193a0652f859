// Resizable grid columns (mouse and keyboard, saved in the preferences) and country names in
// the UI language (grid, contact page, picker) while stored values stay English.
export default async function ({ page, rpc, expect, shot }) {
  const people = [
    ["Zoé", "Durand", "zoe@example.fr", "Germany"],
    ["Ana", "Lima", "ana@example.com", "United States"],
    ["Jürgen", "Ößler", "jo@example.de", "Côte d’Ivoire"],
  ];
  let first = "";
  for (const [firstname, lastname, email, country] of people) {
    const c = await rpc("Contacts.Create", { values: { firstname, lastname, email, country }, tags: [] });
    first ||= c.id;
  }
  await page.getByRole("navigation").getByRole("link", { name: "Contacts" }).click();
  await page.getByRole("row").nth(3).waitFor();

  const header = (name) => page.getByRole("columnheader").filter({ hasText: name });
  const widthOf = async (name) => Math.round((await header(name).boundingBox()).width);
  const before = await widthOf("Email");

  // Mouse: drag the Email column's handle 120 px to the right.
  const handle = page.getByRole("separator", { name: "Resize column Email" });
  const box = await handle.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 60, box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(box.x + 120 + box.width / 2, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  const dragged = await widthOf("Email");
  expect.ok(Math.abs(dragged - (before + 120)) <= 2, `dragged width ${dragged}, want ${before + 120}`);
  // The cells follow the header.
  const cell = page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').nth(2);
  expect.equal(Math.round((await cell.boundingBox()).width), dragged, "cell width follows");

  // Keyboard: focus the handle, Shift+← twice = 128 px narrower.
  await handle.focus();
  await page.keyboard.press("Shift+ArrowLeft");
  await page.keyboard.press("Shift+ArrowLeft");
  const keyed = await widthOf("Email");
  expect.equal(keyed, dragged - 128, "width after Shift+← ×2");
  expect.equal(await handle.getAttribute("aria-valuenow"), String(keyed), "aria-valuenow");

  // Saved: the preferences hold it and a reload keeps it.
  await page.waitForTimeout(300);
  const prefs = await rpc("System.GetPreferences");
  expect.equal(prefs.gridWidths?.email, keyed, "saved width");
  await page.reload();
  await page.getByRole("row").nth(3).waitFor();
  expect.equal(await widthOf("Email"), keyed, "width after reload");

  // Countries in French: the grid, the contact page and the picker.
  await rpc("System.SetPreferences", { ...prefs, language: "fr" });
  await page.reload();
  await page.getByRole("row").nth(3).waitFor();
  // The country names arrive with the French dictionary, after the first rows.
  await page.getByTestId("contact-grid").getByText("Allemagne").first().waitFor();
  const gridText = await page.getByTestId("contact-grid").textContent();
  for (const want of ["Allemagne", "États-Unis", "Côte d’Ivoire"]) expect.ok(gridText.includes(want), `grid shows ${want}`);
  expect.ok(!gridText.includes("Germany"), "grid no longer shows the English name");
  await shot("contacts-grid-fr-countries");

  await page.goto(`${page.url().split("#")[0]}#/contacts/${first}`);
  await page.getByTestId("value-country").waitFor();
  expect.equal(await page.getByTestId("value-country").textContent(), "Allemagne", "contact page country");
  const stored = await rpc("Contacts.Get", first);
  expect.equal(stored.values.country, "Germany", "stored value unchanged");

  await page.getByRole("button", { name: "Modifier" }).click();
  const picker = page.locator('[data-field="country"]').first();
  expect.equal(await picker.inputValue(), "Allemagne", "picker shows the French name");
  await picker.click();
  await picker.fill("Éta");
  await page.getByRole("option", { name: "États-Unis", exact: true }).click();
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await page.getByTestId("value-country").filter({ hasText: "États-Unis" }).waitFor();
  expect.equal((await rpc("Contacts.Get", first)).values.country, "United States", "picked country stored in English");
  await shot("contact-page-fr-country");
}
