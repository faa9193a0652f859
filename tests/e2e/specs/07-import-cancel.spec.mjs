// Cancel a running import: committed rows stay, the import can be resumed without duplicates.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export default async function ({ page, rpc, expect, tmp, openImport }) {
  const n = 30000;
  const rows = ["email,firstname,lastname,city"];
  for (let i = 0; i < n; i++) rows.push(`p${i}@big.example,Zoë,Lefèvre${i},Nîmes`);
  const csv = join(tmp, "big.csv");
  writeFileSync(csv, `${rows.join("\n")}\n`);

  await openImport(csv);
  await page.getByRole("button", { name: "Start the import" }).click();
  await page.getByTestId("job-progress").getByRole("button", { name: "Cancel" }).click();
  await page.locator('[data-testid="job-progress"]:is([data-state="canceled"],[data-state="failed"])').waitFor({ timeout: 60_000 });
  const progress = page.getByTestId("job-progress");
  // A cancel once surfaced as "sql: statement is closed" (db.Write now reports ctx.Err()).
  expect.equal(await progress.getAttribute("data-state"), "canceled", `cancel ends canceled: ${await progress.textContent()}`);
  const kept = (await rpc("Contacts.List", { search: "email:p", limit: 1 })).total;
  expect.ok(kept < n, `a canceled import stops early (kept ${kept} of ${n})`);

  // Resume from the history: every row ends up imported exactly once.
  await page.getByTestId("import-history").getByRole("button", { name: "Resume" }).first().click();
  await page.locator('[data-testid="job-progress"][data-state="done"]').waitFor({ timeout: 300_000 });
  const total = (await rpc("Contacts.List", { search: "email:p", limit: 1 })).total;
  expect.equal(total, n, "after resume");
}
