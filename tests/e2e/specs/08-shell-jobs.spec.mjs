// The shell's jobs indicator: a running import shows on every screen, with progress and Cancel.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export default async function ({ page, rpc, expect, tmp, shot, openImport }) {
  const indicator = page.getByTestId("jobs-indicator");
  await indicator.waitFor();
  expect.equal(await indicator.getAttribute("data-running"), "0", "no job at start");

  const n = 150000; // (a bulk import of several seconds: the cancel must land while it runs)
  const rows = ["email;prénom;nom;ville"];
  for (let i = 0; i < n; i++) rows.push(`j${i}@jobs.example;Zoé;Lefèvre${i};Nîmes`);
  const csv = join(tmp, "jobs.csv");
  writeFileSync(csv, `${rows.join("\n")}\n`);
  await openImport(csv);
  await page.getByRole("button", { name: "Start the import" }).click();

  // Leave the import screen: the indicator still shows the job.
  await page.getByRole("navigation").getByRole("link", { name: "Companies" }).click();
  await page.locator('[data-testid="jobs-indicator"][data-running="1"]').waitFor();
  await page.getByRole("button", { name: /Background jobs: 1 running/ }).click();
  const pop = page.getByTestId("jobs-popover");
  await pop.getByTestId("job-progress").waitFor();
  expect.match(await pop.textContent(), /Import jobs\.csv/, "the popover names the job");
  await shot("shell-jobs-indicator");

  await pop.getByRole("button", { name: "Cancel" }).click();
  await pop.locator('[data-testid="job-progress"][data-state="canceled"]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="jobs-indicator"][data-running="0"]').waitFor();
  const kept = (await rpc("Contacts.List", { search: "email:j", limit: 1 })).total;
  expect.ok(kept < n, `canceled from the shell, the import stops early (kept ${kept} of ${n})`);
  await page.keyboard.press("Escape");
}
