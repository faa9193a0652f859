// Welcome screen on an empty database: load demo data with a progress bar, then browse.
export default async function ({ page, expect, shot }) {
  await page.getByTestId("demo-loader").waitFor();
  await page.getByTestId("demo-loader").locator("label", { hasText: "1,000" }).first().click();
  await page.getByTestId("demo-loader").getByRole("button", { name: "Load demo data" }).click();
  await page.getByTestId("job-progress").waitFor();
  await shot("demo-progress");
  await page.locator('[data-testid="job-progress"][data-state="done"]').waitFor({ timeout: 60_000 });
  await page.getByRole("button", { name: "Browse contacts" }).click();
  await page.getByTestId("contact-total").waitFor();
  expect.equal(await page.getByTestId("contact-total").textContent(), "1,000", "demo contacts");

  // The same grid in French and dark theme.
  await page.getByRole("button", { name: "Language: English" }).click();
  await page.getByRole("heading", { name: "Contacts" }).waitFor();
  await page.getByRole("button", { name: "Basculer thème clair/sombre" }).click();
  await page.locator('[role="row"][aria-rowindex="3"] a').waitFor();
  await page.getByPlaceholder(/Rechercher nom/).waitFor();
  await shot("contacts-fr-dark");
}
