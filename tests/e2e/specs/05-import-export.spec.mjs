// Import wizard with a ';'-separated Windows-1252 CSV (accents, a bad row, a duplicate),
// rejected rows download, then export of a search to CSV.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function win1252(s) {
  // Latin-1 covers every character used here; Windows-1252 agrees with it on them.
  return Buffer.from(s, "latin1");
}

export default async function ({ page, expect, shot, tmp, openImport }) {
  const rows = ["Prénom;Nom;E-mail;Ville;Pays"];
  for (let i = 0; i < 120; i++) rows.push(`Hélène;Dupré${i};helene.dupre${i}@exemple.fr;Besançon;France`);
  rows.push("Bad;Row;not-an-email;Nowhere;France");
  rows.push("Hélène;Dupré0;HELENE.DUPRE0@exemple.fr;Dijon;"); // duplicate by email: merged
  const csv = join(tmp, "contacts-fr.csv");
  writeFileSync(csv, win1252(`${rows.join("\r\n")}\r\n`));

  await openImport(csv);
  const detected = await page.getByTestId("import-detected").textContent();
  expect.match(detected, /Semicolon/, "delimiter detection");
  expect.match(detected, /windows-1252/, "encoding detection");
  await shot("import-mapping");
  // Picking another delimiter re-reads the file (one column with ','), and back.
  await page.getByTestId("import-delimiter").click();
  await page.getByRole("option", { name: "Comma (,)" }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="mapping"] tbody tr').length === 1);
  await page.getByTestId("import-delimiter").click();
  await page.getByRole("option", { name: "Semicolon (;)" }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="mapping"] tbody tr').length === 5);
  await page.getByRole("button", { name: "Start the import" }).click();
  // A refused start shows a notification for a few seconds only: report its text.
  await page.locator('[data-testid="import-result"], .mantine-Notification-root').first().waitFor({ timeout: 60_000 });
  if (!(await page.getByTestId("import-result").isVisible())) {
    throw new Error(`the import did not start: ${await page.locator(".mantine-Notification-root").first().textContent()}`);
  }
  await shot("import-result");
  // The finished import completes the wizard's last step, and the history below says so at
  // once (its own refresh is every 5 s).
  await page.locator(".mantine-Stepper-step[data-completed]").nth(2).waitFor({ timeout: 2_000 });
  await page.getByTestId("import-history").getByText("Done").waitFor({ timeout: 2_500 });
  expect.equal(await page.getByTestId("import-failed").textContent(), "1 rejected", "rejected count");
  await page.getByTestId("rejected").getByText(/Not an email address \(“/).waitFor();
  const [dl] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download rejected rows (CSV)" }).click(),
  ]);
  const rejPath = join(tmp, "rejected.csv");
  await dl.saveAs(rejPath);
  expect.match(readFileSync(rejPath, "utf8"), /not-an-email/, "rejected CSV content");

  // The imported contacts, accents intact, the duplicate merged.
  await page.getByRole("button", { name: "Browse contacts" }).click();
  await page.getByTestId("contact-search").fill("helene");
  await page.waitForFunction(() => document.querySelector('[data-testid="contact-total"]')?.textContent === "120");

  // Export that search to CSV.
  await page.getByRole("button", { name: "Export", exact: true }).click();
  await page.getByTestId("export-start").click();
  await page.getByTestId("export-save").waitFor({ timeout: 60_000 });
  await shot("export-done");
  const [exp] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-save").click()]);
  const expPath = join(tmp, "export.csv");
  await exp.saveAs(expPath);
  const text = readFileSync(expPath, "utf8");
  expect.match(text, /Hélène/, "export has accented names");
  expect.equal(text.trim().split(/\r?\n/).length, 121, "export rows + header");
}
