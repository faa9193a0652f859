// "Update contact" is configured with the contact form's own inputs (a field picker, then a
// country list and a text box), published, and the engine writes those values on every
// member of the source segment.
export default async function ({ page, rpc, expect, shot }) {
  const people = [];
  for (let i = 0; i < 3; i++) {
    const c = await rpc("Contacts.Create", { values: { firstname: `Upd${i}`, email: `upd${i}@example.org`, city: "Paris" }, tags: [] });
    people.push(c.id);
  }
  const seg = await rpc("Segments.Save", { id: "", name: "Movers", alias: "", description: "", filters: "", published: true });
  await rpc("Segments.AddMembers", seg.id, people);

  await page.getByRole("navigation").getByRole("link", { name: "Campaigns" }).click();
  await page.getByRole("button", { name: "New campaign" }).first().click();
  await page.getByLabel("Name").fill("Relocation");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByTestId("campaign-builder").waitFor();
  await page.getByRole("button", { name: "Add a source" }).click();
  await page.getByRole("menuitem", { name: "Contact segments" }).click();
  await page.getByTestId("source-panel").getByLabel("Segments").click();
  await page.getByRole("option", { name: "Movers" }).click();
  await page.getByRole("button", { name: "Add a first event" }).click();
  await page.getByRole("dialog").getByRole("button", { name: /^Action/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Update contact", exact: true }).click();

  const panel = page.getByTestId("event-panel");
  await panel.getByText("No field chosen yet").waitFor();
  const add = panel.getByRole("combobox", { name: "Add a field" });
  await add.click();
  await add.fill("Coun");
  await page.getByRole("option", { name: "Country", exact: true }).click();
  expect.equal(await add.inputValue(), "", "the field picker is empty again after a pick");
  await add.click();
  await add.fill("City");
  await page.getByRole("option", { name: "City", exact: true }).click();
  await panel.getByRole("combobox", { name: "Country" }).click();
  await panel.getByRole("combobox", { name: "Country" }).fill("Belg");
  await page.getByRole("option", { name: "Belgium" }).click();
  await panel.getByRole("textbox", { name: "City" }).fill("Liège");
  await canvas(page).locator('[data-type="contact.update"]').getByText(/required/).waitFor({ state: "detached" });
  await shot("campaign-update-contact");

  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await page.getByText("Campaign published (version 1)").waitFor();
  for (let i = 0; i < 100; i++) {
    const got = await Promise.all(people.map((id) => rpc("Contacts.Get", id)));
    if (got.every((c) => c.values.country === "Belgium" && c.values.city === "Liège")) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error("the campaign did not write Belgium / Liège on the three members in 30 s");
}

const canvas = (page) => page.locator(".camp-canvas");
