// Dashboard edge cases: on an empty database the board starts with the getting-started tile
// (demo data, import, segment); a widget whose query fails (its table renamed behind the
// app's back) shows its error in place while the rest of the board renders. (A dropped index
// no longer fails anything: forced indexes fall back to a scan while a bulk load defers them.)
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export default async function ({ page, expect, shot, bin, dataDir, rpc }) {
  await page.goto(`${new URL(page.url()).origin}/#/dashboard`);
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  const welcome = page.locator('[data-testid="dash-widget"][data-type="welcome"]');
  await welcome.getByText("Your database is empty").waitFor();
  await welcome.getByTestId("demo-loader").waitFor();
  await welcome.getByRole("button", { name: "Import contacts" }).waitFor();
  await welcome.getByRole("button", { name: "Create a segment" }).waitFor();
  expect.equal(
    await page.locator('[data-testid="dash-widget"]').first().getAttribute("data-type"),
    "welcome",
    "getting started comes first",
  );
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="dash-widget"][data-state="loading"]').length === 0,
  );
  expect.equal(await page.getByTestId("dash-error").count(), 0, "no widget fails on an empty database");
  await shot("dashboard-empty");

  // Some data, then take away the table the segment sizes widget reads; a dropped index the
  // contact widgets force must not break them.
  execFileSync(bin, ["seed", "--contacts", "300", "--seed", "3", "--data-dir", dataDir], { stdio: "pipe" });
  // The app may be writing (it notices the seeded rows): wait for its lock, as the other specs do.
  execFileSync("sqlite3", [join(dataDir, "magpie.db")], {
    input: ".timeout 10000\nDROP INDEX dash_contacts_added;\nALTER TABLE segment_builds RENAME TO segment_builds_away;\n",
    stdio: ["pipe", "pipe", "pipe"],
  });
  await rpc("Dashboard.ResetLayout");
  await page.reload();
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-testid="dash-widget"]').length > 3 &&
      document.querySelectorAll('[data-testid="dash-widget"][data-state="loading"]').length === 0,
  );
  const failed = page.locator('[data-testid="dash-widget"][data-state="error"]');
  const failedTypes = await failed.evaluateAll((ws) => ws.map((w) => w.getAttribute("data-type")).sort());
  expect.equal(
    JSON.stringify(failedTypes),
    JSON.stringify(["top.lists"]),
    "only the widget reading the missing table fails",
  );
  expect.match(await failed.first().getByTestId("dash-error").textContent(), /no such table: segment_builds/, "the error says why");
  const ok = await page.locator('[data-testid="dash-widget"][data-state="chart"], [data-testid="dash-widget"][data-state="table"]').count();
  expect.ok(ok >= 4, `the other widgets still render (${ok})`);
  await page.locator('[data-testid="dash-widget"][data-type="page.hits.in.time"][data-state="chart"]').waitFor();
  await shot("dashboard-widget-error");
}
