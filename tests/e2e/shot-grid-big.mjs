// The contact grid on a big store (issue 2: "a grid that stays smooth on 1M contacts"), in
// Debian's Chromium against `magpie serve`: sorts by email (descending), lets the sort's sparse
// anchor index build, drags the scrollbar to 50 % and 83 %, prints how long each jump took
// until every visible row was rendered, and writes docs/screenshots/contacts-grid-1m.png.
//   BIN=build/bin/magpie DATA=<store with 1M contacts> node shot-grid-big.mjs
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BIN = process.env.BIN;
const DATA = process.env.DATA;
if (!BIN || !DATA) throw new Error("BIN and DATA are required");
const shots = join(dirname(fileURLToPath(import.meta.url)), "../../docs/screenshots");

const urlFile = join(mkdtempSync(join(tmpdir(), "magpie-shot-")), "url");
const proc = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data-dir", DATA, "--url-file", urlFile], { stdio: "ignore" });
try {
  for (let i = 0; i < 12000 && !existsSync(urlFile); i++) await new Promise((r) => setTimeout(r, 50));
  const url = readFileSync(urlFile, "utf8").trim();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await page.goto(url);
  await page.getByRole("heading", { level: 2 }).first().waitFor({ timeout: 60_000 });
  const settled = () =>
    page.waitForFunction(
      () => {
        const g = document.querySelector('[data-testid="contact-grid"]');
        if (!g) return false;
        const rows = g.querySelectorAll('[role="row"][aria-rowindex]');
        return rows.length > 2 && g.querySelectorAll(".grid-skeleton").length === 0;
      },
      null,
      { timeout: 60_000, polling: "raf" },
    );
  await page.evaluate(() => (location.hash = "#/contacts"));
  await settled();
  const header = page.getByRole("button", { name: "Email" });
  await header.click(); // ascending
  await settled();
  await header.click(); // descending
  await settled();
  await page.waitForTimeout(1500); // the sort's sparse anchor index builds in the background
  const grid = page.getByTestId("contact-grid");
  for (const frac of [0.5, 0.83]) {
    const t0 = performance.now();
    await grid.evaluate((el, f) => (el.scrollTop = f * (el.scrollHeight - el.clientHeight)), frac);
    await settled();
    console.log(`drag to ${frac * 100} %: rows on screen after ${Math.round(performance.now() - t0)} ms (incl. the grid's 40 ms scroll pause)`);
  }
  const first = await grid.evaluate((el) => {
    const top = el.getBoundingClientRect().top + 40; // below the header row
    const rows = [...el.querySelectorAll('[role="row"][aria-rowindex]')].filter((r) => r.getBoundingClientRect().bottom > top);
    return Math.min(...rows.map((r) => Number(r.getAttribute("aria-rowindex"))).filter((n) => n > 1));
  });
  console.log(`first visible row: ${first.toLocaleString("en")} of ${await page.getByTestId("contact-total").textContent()}`);
  await page.screenshot({ path: join(shots, "contacts-grid-1m.png") });
  await browser.close();
} finally {
  proc.kill();
}
