// Team sync: the badge is visible, the settings screen tests a bad and a good cluster,
// saving turns sync on (badge "Up to date"), a teammate's change shows in the feed, an edit
// made while the cluster is down shows as pending behind an "Offline" badge and goes out
// when it is back, and a cluster clock 10 minutes off raises the clock warning.
// The cluster is the rqlite stand-in (tests/sync-demo/fakerqlite), built here.
import { spawn, spawnSync } from "node:child_process";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

export default async function ({ page, expect, shot, tmp, bin }) {
  const fake = join(tmp, "fakerqlite");
  const b = spawnSync("go", ["build", "-o", fake, "./tests/sync-demo/fakerqlite"], { cwd: root, encoding: "utf8" });
  expect.equal(b.status, 0, `building fakerqlite: ${b.stderr}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let cluster = spawn(fake, ["--addr", `127.0.0.1:${port}`, "--dir", join(tmp, "cluster")], { stdio: "ignore" });
  try {
    const badge = page.getByTestId("sync-badge");
    await badge.waitFor();
    expect.equal(await badge.getAttribute("data-state"), "off", "badge before any setup");
    await badge.click();
    await page.getByRole("heading", { name: "Team sync" }).waitFor();

    // A cluster that is not there: a clear message, nothing saved.
    await page.getByTestId("sync-urls").fill("http://127.0.0.1:1");
    await page.getByRole("button", { name: "Test connection" }).click();
    const result = page.getByTestId("sync-test-result");
    await result.waitFor();
    expect.match(await result.textContent(), /Cannot connect: .*connection refused/, "test of a dead address");
    await shot("sync-settings-unreachable");

    // The real one: test, enable, save; the badge reaches "Up to date".
    await page.getByTestId("sync-urls").fill(url);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText(/Connected: 1 node/).waitFor();
    await page.getByLabel("Sync with the team").check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="sync-badge"]')?.getAttribute("data-state") === "uptodate",
      null,
      { timeout: 20_000 },
    );
    await shot("sync-settings-connected");

    // A teammate (another data dir, another process) adds contacts and syncs.
    const other = join(tmp, "teammate");
    const seed = spawnSync(bin, ["--data-dir", other, "seed", "--contacts", "3", "--companies", "0", "--events", "0"], { encoding: "utf8" });
    expect.equal(seed.status, 0, `seed: ${seed.stderr}`);
    const sync = spawnSync(bin, ["--data-dir", other, "sync", "--rqlite", url, "--once"], { encoding: "utf8" });
    expect.equal(sync.status, 0, `teammate sync: ${sync.stderr}`);
    // Each contact in the feed is named (and links to its page).
    const named = page.getByTestId("sync-feed").getByRole("link").first();
    await named.waitFor({ timeout: 20_000 });
    expect.match(await named.getAttribute("href"), /^#\/contacts\/./, "feed link to the contact");
    expect.match(await named.textContent(), /\S+/, "contact named in the feed");
    await page.getByTestId("sync-feed").scrollIntoViewIfNeeded();
    await shot("sync-feed");

    // A teammate on a newer Magpie wrote to a table this version lacks: the change is
    // parked and listed with its reason, and syncing goes on.
    const res = await fetch(`${url}/db/execute?transaction`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify([
        [
          "INSERT INTO change_log(change_id, site_id, tbl, row_id, cols, hlc, schema_ver, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
          "e2e-future-1",
          "site-newer",
          "widgets",
          "w1",
          '{"name":"from a newer Magpie"}',
          1,
          99,
          0,
        ],
      ]),
    });
    expect.equal(res.status, 200, "writing a newer teammate's change into the cluster");
    await page.getByRole("button", { name: "Sync now" }).click();
    const problems = page.getByTestId("sync-problems");
    await problems.getByText(/unknown table widgets/).waitFor({ timeout: 20_000 });
    await problems.scrollIntoViewIfNeeded();
    await shot("sync-problems");

    // The cluster goes away and we edit a contact: the badge says Offline with the pending
    // change, and nothing is lost — it is pushed once the cluster is back.
    cluster.kill("SIGTERM");
    await sleep(300);
    const made = await page.evaluate(() =>
      window.go.app.Contacts.Create({ values: { firstname: "Offline", lastname: "Edit", email: "offline@example.com" }, tags: [] }),
    );
    expect.ok(made.id, "contact created while the cluster is down");
    await page.waitForFunction(
      () => {
        const b = document.querySelector('[data-testid="sync-badge"]');
        return b?.getAttribute("data-state") === "offline" && /pending/.test(b.textContent ?? "");
      },
      null,
      { timeout: 20_000 },
    );
    expect.match(await page.getByTestId("sync-badge").textContent(), /Offline · \d+ pending/, "offline badge with the pending count");
    expect.ok(Number(await page.getByTestId("sync-pending").textContent()) >= 1, "pending changes in the status table");
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("sync-offline");

    // Back, but with a clock 10 minutes ahead of ours: the change goes out (pending 0, up
    // to date) and the status warns about the clock difference.
    cluster = spawn(fake, ["--addr", `127.0.0.1:${port}`, "--dir", join(tmp, "cluster"), "--clock-offset", "10m"], { stdio: "ignore" });
    await page.getByRole("button", { name: "Sync now" }).click().catch(() => {});
    await page.waitForFunction(
      () => document.querySelector('[data-testid="sync-badge"]')?.getAttribute("data-state") === "uptodate",
      null,
      { timeout: 30_000 },
    );
    await page.getByText(/clock differs from the cluster/).first().waitFor({ timeout: 20_000 });
    expect.equal((await page.getByTestId("sync-pending").textContent())?.trim(), "0", "pending change pushed after reconnecting");
    await page.getByTestId("sync-status").scrollIntoViewIfNeeded();
    await shot("sync-skew");

    // French.
    await page.keyboard.press("Control+K");
    await page.getByPlaceholder("Go to… or run an action").fill("Passer en français");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Synchro d'équipe" }).waitFor();
    expect.match(await page.getByTestId("sync-badge").textContent(), /À jour/, "badge in French");
    await page.keyboard.press("Escape");
    await page.getByRole("heading", { name: "Synchro d'équipe" }).scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, 0));
    await sleep(300);
    await shot("sync-settings-fr");
    await sleep(10);
  } finally {
    cluster.kill("SIGTERM");
  }
}
