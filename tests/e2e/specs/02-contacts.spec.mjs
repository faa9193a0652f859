// The contact grid against the real backend: totals, instant search, sort, selection and
// batch tagging/deleting, keyboard navigation to the contact page.
const people = [
  ["Zoé", "Durand", "zoe.durand@example.fr", "Lyon", "France"],
  ["Ana", "Lima", "ana.lima@example.com", "Porto", "Portugal"],
  ["Émile", "Zola", "emile@example.fr", "Paris", "France"],
  ["Bob", "Stone", "bob@acme.test", "Austin", "United States"],
];

export default async function ({ page, rpc, expect, shot }) {
  for (let i = 0; i < 40; i++) {
    const [first, last, email, city, country] = people[i % people.length];
    await rpc("Contacts.Create", {
      values: { firstname: first, lastname: `${last}${i}`, email: email.replace("@", `+${i}@`), city, country, company: i % 2 ? "Acme" : "Globex" },
      tags: i % 3 === 0 ? ["vip"] : [],
    });
  }
  const handPicked = await rpc("Segments.Save", { id: "", name: "Hand-picked", alias: "", description: "", filters: "[]", published: true });
  await page.getByRole("navigation").getByRole("link", { name: "Contacts" }).click();
  const total = page.getByTestId("contact-total");
  await total.waitFor();
  expect.equal(await total.textContent(), "40", "total");
  await page.getByRole("row").nth(5).waitFor();
  await shot("contacts-grid");

  // Instant search, accent-insensitive: "emile" finds Émile.
  await page.getByTestId("contact-search").fill("emile");
  await page.waitForFunction(() => document.querySelector('[data-testid="contact-total"]')?.textContent === "10");
  const firstCell = page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').nth(1);
  expect.match(await firstCell.textContent(), /Émile Zola/, "first row after search");

  // tag: search.
  await page.getByTestId("contact-search").fill("tag:vip");
  await page.waitForFunction(() => document.querySelector('[data-testid="contact-total"]')?.textContent === "14");

  // Sort by email ascending.
  await page.getByTestId("contact-search").fill("");
  await page.waitForFunction(() => document.querySelector('[data-testid="contact-total"]')?.textContent === "40");
  await page.getByRole("button", { name: "Email" }).click();
  await page.waitForFunction(() =>
    document.querySelector('[role="row"][aria-rowindex="2"]')?.textContent?.includes("ana.lima+13@example.com"),
  );

  // Select two rows and tag them.
  await page.getByRole("checkbox", { name: /^Select Ana Lima1$/ }).check();
  await page.getByRole("checkbox", { name: /^Select Ana Lima13$/ }).check();
  await page.getByTestId("selection-bar").getByText("2 selected").waitFor();
  await page.getByRole("button", { name: "Actions" }).click();
  await page.getByRole("menuitem", { name: "Add or remove tags…" }).click();
  await page.getByRole("dialog").waitFor();
  await page.keyboard.type("newsletter");
  await page.keyboard.press("Enter");
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await page.getByText("2 contacts updated").waitFor();
  await page.getByTestId("contact-search").fill("tag:newsletter");
  await page.waitForFunction(() => document.querySelector('[data-testid="contact-total"]')?.textContent === "2");

  // Batch "Change segments": every matching contact goes into a static segment by hand.
  await page.getByRole("checkbox", { name: "Select every matching contact" }).check();
  await page.getByRole("button", { name: "Actions" }).click();
  await page.getByRole("menuitem", { name: "Change segments…" }).click();
  await page.getByRole("dialog").getByLabel("Add to segments").click();
  await page.getByRole("option", { name: "Hand-picked" }).click();
  await page.getByRole("dialog").getByText("Segments of 2 contacts").click(); // closes the dropdown
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await page.getByText("2 contacts updated").nth(1).waitFor(); // the tagging's notice may still show
  const members = await rpc("Segments.Members", handPicked.id, 0, 10);
  expect.equal(members.total, 2, "hand-picked segment members");

  // Select all matching and delete: they go to the trash.
  await page.getByRole("checkbox", { name: "Select every matching contact" }).check();
  await page.getByRole("button", { name: "Actions" }).click();
  await page.getByRole("menuitem", { name: "Delete…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await page.getByText("2 contacts moved to the trash").waitFor();
  await page.getByTestId("contact-search").fill("");
  await page.waitForFunction(() => document.querySelector('[data-testid="contact-total"]')?.textContent === "38");

  // Keyboard: focus the grid, move down, Enter opens the contact page.
  await page.getByTestId("contact-grid").focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /^#\/contacts\/[0-9a-f-]{36}$/.test(location.hash));

  // The command palette finds contacts too.
  await page.keyboard.press("Control+K");
  await page.getByPlaceholder("Go to… or run an action").fill("zola1");
  await page.getByRole("button", { name: /Émile Zola10/ }).click();
  await page.getByTestId("contact-name").getByText("Émile Zola10").waitFor();
}
