// UI benchmark of the contact grid on a big store, in Debian's Chromium against `magpie serve`:
// time from an action to the rows being on screen (no skeleton cell left in the viewport).
//   BIN=build/bin/magpie DATA=<seeded data dir> node bench-grid.mjs [runs]
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BIN = process.env.BIN;
const DATA = process.env.DATA;
const RUNS = Number(process.argv[2] || 5);
if (!BIN || !DATA) throw new Error("BIN and DATA are required");

const urlFile = join(mkdtempSync(join(tmpdir(), "magpie-bench-")), "url");
const proc = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data-dir", DATA, "--url-file", urlFile], { stdio: "ignore" });
for (let i = 0; i < 12000 && !existsSync(urlFile); i++) await new Promise((r) => setTimeout(r, 50));
const url = readFileSync(urlFile, "utf8").trim();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
await page.goto(url);

// settled: rows in the viewport, none still loading.
const settled = () =>
  page.waitForFunction(
    () => {
      const g = document.querySelector('[data-testid="contact-grid"]');
      if (!g) return false;
      const rows = g.querySelectorAll('[role="row"][aria-rowindex]');
      return rows.length > 2 && g.querySelectorAll(".grid-skeleton").length === 0;
    },
    null,
    { timeout: 30_000, polling: "raf" },
  );

async function time(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
const record = (k, v) => (results[k] ??= []).push(v);

for (let run = 0; run < RUNS; run++) {
  await page.goto(`${url.split("?")[0]}#/`);
  await page.getByRole("heading", { level: 2 }).first().waitFor();
  record("open grid (first rows)", await time(async () => {
    await page.evaluate(() => (location.hash = "#/contacts"));
    await settled();
  }));
  const grid = page.getByTestId("contact-grid");
  for (const [name, frac] of [["scroll to 50%", 0.5], ["scroll to end", 1], ["scroll to 10%", 0.1]]) {
    record(name, await time(async () => {
      await grid.evaluate((el, f) => (el.scrollTop = f * (el.scrollHeight - el.clientHeight)), frac);
      await settled();
    }));
  }
  const total = await page.getByTestId("contact-total").textContent();
  record("search 'mar' (total shown)", await time(async () => {
    await page.getByTestId("contact-search").fill("mar");
    await page.waitForFunction((t) => {
      const el = document.querySelector('[data-testid="contact-total"]');
      return el && el.textContent !== t;
    }, total, { timeout: 30_000, polling: "raf" });
    await settled();
  }));
  await page.getByTestId("contact-search").fill("");
  await settled();
  record("sort by email", await time(async () => {
    await page.getByRole("button", { name: "Email" }).click();
    await page.waitForFunction(() => document.querySelector('[aria-sort]')?.closest('[role="columnheader"]')?.textContent?.includes("Email"), null, { polling: "raf" });
    await settled();
  }));
}
const total = await page.getByTestId("contact-total").textContent();
console.log(`grid benchmark: ${total} contacts, ${RUNS} runs, median ms (includes 40 ms scroll-settle debounce and 120 ms search debounce)`);
for (const [k, v] of Object.entries(results)) console.log(`  ${k.padEnd(28)} ${median(v).toFixed(0)} ms  (min ${Math.min(...v).toFixed(0)}, max ${Math.max(...v).toFixed(0)})`);
await browser.close();
proc.kill("SIGTERM");
