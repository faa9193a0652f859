// Segments against the real backend: build a filter in the editor (field picker, operator,
// value, OR group), watch the live count, save, see members (with a manual add) and the list;
// a country picked from the editor's list of countries.
export default async function ({ page, rpc, expect, shot }) {
  const cities = ["Paris", "Lyon", "Paris", "Nantes"];
  for (let i = 0; i < 16; i++) {
    await rpc("Contacts.Create", {
      values: { firstname: `Person${i}`, lastname: "Test", email: `p${i}@example.fr`, city: cities[i % 4], country: i % 2 ? "Germany" : "France" },
      tags: i % 5 === 0 ? ["vip"] : [],
    });
  }
  await page.getByRole("navigation").getByRole("link", { name: "Segments" }).click();
  await page.getByText("No segments yet").waitFor();
  await page.getByRole("button", { name: "New segment" }).first().click();
  await page.getByLabel("Name").fill("Parisians and VIPs");

  // Filter 1: City = Paris (keyboard: type in the field picker, pick the option).
  await page.getByRole("button", { name: "Add a filter", exact: true }).click();
  await page.getByRole("combobox", { name: "Field of filter 1" }).click();
  await page.getByRole("combobox", { name: "Field of filter 1" }).fill("City");
  await page.getByRole("option", { name: "City", exact: true }).first().click();
  await page.locator(`input[aria-label="Value of filter 1"]`).fill("paris");
  await page.waitForFunction(() => document.querySelector('[data-testid="segment-count"]')?.textContent?.startsWith("8 "));

  // Filter 2: OR tags including vip (Mautic's glue between the two filters).
  await page.getByRole("button", { name: "Add a filter", exact: true }).click();
  await page.getByRole("combobox", { name: "Field of filter 2" }).click();
  await page.getByRole("combobox", { name: "Field of filter 2" }).fill("Tags");
  await page.getByRole("option", { name: "Tags", exact: true }).click();
  await page.getByTestId("filter-glue").first().getByText("or", { exact: true }).click();
  await page.locator(`input[aria-label="Value of filter 2"]`).fill("vip");
  await page.keyboard.press("Enter");
  // 8 in Paris, plus vip contacts 5 and 15 outside Paris (0, 10 are in Paris... 10 % 4 = 2: Paris).
  await page.waitForFunction(() => document.querySelector('[data-testid="segment-count"]')?.textContent?.startsWith("10 "));

  // A nested group joined with AND to the vip filter, negated: (Paris) OR (vip AND NOT (city = Nantes)).
  await page.getByRole("button", { name: "Add a group", exact: true }).click();
  await page.getByRole("combobox", { name: "Field of filter 3.1" }).click();
  await page.getByRole("combobox", { name: "Field of filter 3.1" }).fill("City");
  await page.getByRole("option", { name: "City", exact: true }).first().click();
  await page.locator(`input[aria-label="Value of filter 3.1"]`).fill("Nantes");
  await page.getByLabel("Not (group 3)").check({ force: true });
  await page.getByTestId("filter-glue").nth(1).getByText("and", { exact: true }).click();
  // vip contact 15 lives in Nantes: 9 left.
  await page.waitForFunction(() => document.querySelector('[data-testid="segment-count"]')?.textContent?.startsWith("9 "));
  expect.equal(await page.locator(".ruleGroup .ruleGroup").count(), 1, "one nested group");
  // A removed filter comes back with Ctrl+Z (and goes again with Ctrl+Shift+Z, or the button).
  await page.getByRole("button", { name: "Remove filter 1", exact: true }).click();
  await page.waitForFunction(() => document.querySelectorAll(".rule").length === 2);
  await page.keyboard.press("Control+z");
  await page.locator(`input[aria-label="Value of filter 1"][value="paris"]`).waitFor();
  await page.keyboard.press("Control+Shift+z");
  await page.waitForFunction(() => document.querySelectorAll(".rule").length === 2);
  await page.getByRole("button", { name: "Undo (Ctrl+Z)" }).click();
  await page.locator(`input[aria-label="Value of filter 1"][value="paris"]`).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="segment-count"]')?.textContent?.startsWith("9 "));
  await shot("segment-editor");

  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Segment saved").waitFor();
  await page.getByRole("tab", { name: "Members" }).click();
  await page.getByTestId("segment-member-total").getByText("9 members").waitFor();
  await page.getByLabel("Add a contact by email").fill("p3@example.fr");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByTestId("segment-member-total").getByText("10 members").waitFor();
  await page.getByText("manual").first().waitFor();
  // Only the contact with exactly that email is added: a prefix of several adds nobody.
  await page.getByLabel("Add a contact by email").fill("p1");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByText("No contact has the email p1").waitFor();
  await page.getByTestId("segment-member-total").getByText("10 members").waitFor();
  await shot("segment-members");

  await page.getByRole("tab", { name: "Versions" }).click();
  await page.getByTestId("segment-versions").getByText("Version 1").waitFor();

  await page.getByRole("navigation").getByRole("link", { name: "Segments" }).click();
  const row = page.getByTestId("segment-list").getByRole("row", { name: /Parisians and VIPs/ });
  await row.waitFor();
  expect.equal(await row.getByTestId("segment-members").textContent(), "10", "member count in the list");
  await row.getByText("Live").waitFor();
  await shot("segments-list");

  // The contact page: add a Lyon contact by hand, then remove it (sticky, Q9).
  const found = await rpc("Contacts.List", { search: "p1@example.fr", sort: "", desc: false, offset: 0, limit: 1, columns: [], deleted: false, companyId: "" });
  await page.evaluate((id) => { window.location.hash = `/contacts/${id}`; }, found.rows[0].id);
  await page.getByRole("tab", { name: "Segments" }).click();
  await page.getByText("This contact is in no segment.").waitFor();
  await page.getByRole("combobox", { name: "Add to a segment" }).click();
  await page.getByRole("option", { name: "Parisians and VIPs" }).click();
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByTestId("contact-segments").getByText("Parisians and VIPs").waitFor();
  await shot("contact-segments");
  await page.getByRole("button", { name: "Remove from Parisians and VIPs" }).click();
  await page.getByText("This contact is in no segment.").waitFor();

  // The command palette finds the segment by a part of its name; Enter opens it.
  await page.keyboard.press("Control+K");
  await page.getByPlaceholder("Go to… or run an action").fill("isians and");
  await page.getByRole("button", { name: /Parisians and VIPs/ }).waitFor();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Parisians and VIPs" }).waitFor();

  // A country is picked from the list (values as Mautic stores them, the English name).
  await page.getByRole("navigation").getByRole("link", { name: "Segments" }).click();
  await page.getByRole("button", { name: "New segment" }).first().click();
  await page.getByRole("button", { name: "Add a filter", exact: true }).click();
  await page.getByRole("combobox", { name: "Field of filter 1" }).click();
  await page.getByRole("combobox", { name: "Field of filter 1" }).fill("Country");
  await page.getByRole("option", { name: "Country", exact: true }).first().click();
  await page.getByRole("combobox", { name: "Value of filter 1" }).click();
  await page.getByRole("combobox", { name: "Value of filter 1" }).fill("germ");
  await page.getByRole("option", { name: "Germany", exact: true }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="segment-count"]')?.textContent?.startsWith("8 "));

  // A deleted segment is in the trash screen, with every other kind of item, and comes back.
  const segs = await rpc("Segments.List", false);
  const parisians = segs.find((x) => x.name === "Parisians and VIPs");
  await rpc("Segments.Delete", parisians.id);
  await page.getByRole("navigation").getByRole("link", { name: "Trash" }).click();
  await page.getByRole("tab", { name: "Everything else" }).click();
  const trashed = page.getByTestId("trash-items").getByRole("row", { name: /Parisians and VIPs/ });
  await trashed.getByText("Segments").waitFor();
  await trashed.getByRole("button", { name: "Restore Parisians and VIPs" }).click();
  await page.getByText("Parisians and VIPs restored").waitFor();
  await page.getByRole("navigation").getByRole("link", { name: "Segments" }).click();
  await page.getByTestId("segment-list").getByText("Parisians and VIPs").waitFor();
}
