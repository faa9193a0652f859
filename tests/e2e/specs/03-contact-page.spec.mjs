// The contact page on seeded data: fields, timeline, notes, per-field validation errors,
// tags, do-not-contact; and the companies list and page.
import { execFileSync } from "node:child_process";

export function before({ bin, dataDir }) {
  execFileSync(bin, ["seed", "--contacts", "300", "--seed", "7", "--data-dir", dataDir], { stdio: "pipe" });
}

export default async function ({ page, expect, shot }) {
  await page.getByRole("navigation").getByRole("link", { name: "Contacts" }).click();
  await page.getByTestId("contact-total").waitFor();
  expect.equal(await page.getByTestId("contact-total").textContent(), "300", "seeded total");
  await page.locator('[role="row"][aria-rowindex="2"]').waitFor();
  await shot("contacts-seeded");

  // Open the first identified contact.
  await page.getByTestId("contact-search").fill("is:identified");
  await page.locator('[role="row"][aria-rowindex="2"] a').first().click();
  await page.getByTestId("contact-name").waitFor();

  // Timeline shows events from the log.
  await page.getByRole("tab", { name: "Timeline" }).click();
  await page.getByTestId("timeline").locator(".mantine-Timeline-item").first().waitFor();
  await shot("contact-timeline");

  // A note.
  await page.getByRole("tab", { name: /Notes/ }).click();
  await page.getByLabel("New note").fill("Called, wants a demo in March.");
  await page.getByRole("button", { name: "Add note" }).click();
  await page.getByTestId("note").filter({ hasText: "wants a demo" }).waitFor();

  // Edit with a bad email: the field shows the backend's error, nothing is saved.
  await page.getByRole("button", { name: "Edit" }).click();
  const email = page.locator('input[data-field="email"]');
  const before = await email.inputValue();
  await email.fill("not-an-email");
  await page.locator('input[data-field="city"]').fill("Besançon");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Not an email address").waitFor();
  await shot("contact-edit-error");
  await email.fill(before);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByTestId("value-city").waitFor();
  expect.equal(await page.getByTestId("value-city").textContent(), "Besançon", "city saved");

  // Tags and DNC.
  await page.getByTestId("contact-tags").click();
  await page.keyboard.type("hot-lead");
  await page.keyboard.press("Enter");
  await page.getByRole("tab", { name: "Do not contact" }).click();
  await page.getByRole("button", { name: "Do not contact by email" }).click();
  await page.getByTestId("dnc-badge").waitFor();
  await page.getByRole("tab", { name: "Details" }).click();
  await shot("contact-page");

  // The grid finds the tagged contact.
  await page.getByRole("navigation").getByRole("link", { name: "Contacts" }).click();
  await page.getByTestId("contact-search").fill("tag:hot-lead");
  await page.waitForFunction(() => document.querySelector('[data-testid="contact-total"]')?.textContent === "1");

  // Companies.
  await page.getByRole("navigation").getByRole("link", { name: "Companies" }).click();
  await page.getByTestId("company-table").waitFor();
  await shot("companies");
  await page.getByTestId("company-table").locator("tbody a").first().click();
  await page.getByTestId("company-name").waitFor();
  await page.getByTestId("contact-grid").waitFor();
  await shot("company-page");
}
