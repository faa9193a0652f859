// Team members (Mautic's users) are added in Settings; a contact is assigned to one from its
// page; a member moved to the trash comes back from the trash screen.
export default async function ({ page, rpc, expect, shot }) {
  const c = await rpc("Contacts.Create", { values: { firstname: "Olga", email: "olga@example.org" }, tags: [] });

  await page.getByRole("navigation").getByRole("link", { name: "Settings" }).click();
  const team = page.getByTestId("team-members");
  await team.getByRole("button", { name: "Add" }).click();
  await team.getByText("A name is required").waitFor(); // refused, naming the field
  await team.getByLabel("Name").fill("Ann Martin");
  await team.getByLabel("Email").fill("ann@example.org");
  await team.getByRole("button", { name: "Add" }).click();
  await team.getByRole("cell", { name: "Ann Martin", exact: true }).waitFor();
  await shot("settings-team");

  await page.evaluate((id) => { window.location.hash = `/contacts/${id}`; }, c.id);
  const owner = page.getByTestId("contact-owner");
  await owner.click();
  await page.getByRole("option", { name: /Ann Martin/ }).click();
  await page.getByText("Owner changed").waitFor();
  const got = await rpc("Contacts.Get", c.id);
  const users = await rpc("Users.List", false);
  expect.equal(got.ownerId, users[0].id, "the contact's owner");

  await page.getByRole("navigation").getByRole("link", { name: "Settings" }).click();
  await team.getByRole("button", { name: "Move Ann Martin to the trash" }).click();
  await team.getByRole("cell", { name: "Ann Martin", exact: true }).waitFor({ state: "detached" });
  await page.getByRole("navigation").getByRole("link", { name: "Trash" }).click();
  await page.getByRole("tab", { name: "Everything else" }).click();
  await page.getByTestId("trash-items").getByRole("row", { name: /Ann Martin/ }).getByText("Team members").waitFor();
  await page.getByRole("button", { name: "Restore Ann Martin" }).click();
  await page.getByText("Ann Martin restored").waitFor();
  expect.equal((await rpc("Users.List", false)).length, 1, "the member is back");
}
