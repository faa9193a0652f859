// The segment editor on a big store (issue 3 "done when": usable and fast on 1M contacts),
// in Debian's Chromium against `magpie serve`: builds (city = Paris AND visited the pricing
// page) OR (tag3 AND points > 50) and a nested group, prints how long each live count took
// to appear, and writes docs/screenshots/segment-editor-1m.png and segments-list-1m.png.
//   BIN=build/bin/magpie DATA=/tmp/magpie-bench-seg-1000000-10 node shot-segments-big.mjs
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
const extra = process.env.SERVE_ARGS ? process.env.SERVE_ARGS.split(" ") : []; // e.g. "--debug-pprof 127.0.0.1:6060"
const proc = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data-dir", DATA, "--url-file", urlFile, ...extra], {
  stdio: "ignore",
});
try {
  for (let i = 0; i < 12000 && !existsSync(urlFile); i++) await new Promise((r) => setTimeout(r, 50));
  const url = readFileSync(urlFile, "utf8").trim();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(url);
  await page.getByRole("heading", { level: 2 }).first().waitFor({ timeout: 60_000 });
  await page.evaluate(() => (location.hash = "#/segments/new"));
  await page.getByLabel("Name").fill("Paris pricing visitors or engaged tag3");

  // countAfter runs an edit and returns ms until the shown count differs from before.
  const countAfter = async (what, edit) => {
    const before = await page.getByTestId("segment-count").textContent().catch(() => "");
    const t0 = Date.now();
    await edit();
    await page.waitForFunction(
      (b) => {
        const el = document.querySelector('[data-testid="segment-count"]');
        return el && el.textContent !== b && !el.parentElement?.querySelector(".mantine-Loader-root");
      },
      before,
      { timeout: 120_000, polling: 50 },
    );
    const ms = Date.now() - t0;
    const shown = await page.getByTestId("segment-count-ms").textContent();
    console.log(`${what}: ${await page.getByTestId("segment-count").textContent()} after ${ms} ms (incl. 350 ms debounce), ${shown}`);
  };
  const pick = async (n, label) => {
    const box = page.getByRole("combobox", { name: `Field of filter ${n}` });
    await box.click();
    await box.fill(label);
    await page.getByRole("option", { name: label, exact: true }).first().click();
  };
  await page.getByRole("button", { name: "Add a filter", exact: true }).click();
  await pick("1", "City");
  await countAfter("city = Paris", () => page.locator(`input[aria-label="Value of filter 1"]`).fill("Paris"));
  await page.getByRole("button", { name: "Add a filter", exact: true }).click();
  await pick("2", "Visited URL");
  await countAfter("+ visited pricing", () =>
    page.locator(`input[aria-label="Value of filter 2"]`).fill("https://site.example/pricing"),
  );
  await page.getByRole("button", { name: "Add a filter", exact: true }).click();
  await pick("3", "Tags");
  await page.getByTestId("filter-glue").nth(1).getByText("or", { exact: true }).click();
  await countAfter("+ OR tag3", async () => {
    await page.locator(`input[aria-label="Value of filter 3"]`).fill("tag3");
    await page.keyboard.press("Enter");
  });
  await page.getByRole("button", { name: "Add a filter", exact: true }).click();
  await pick("4", "Points");
  await page.getByTestId("filter-glue").nth(2).getByText("and", { exact: true }).click(); // a new filter copies the glue before it
  await page.getByRole("combobox", { name: "Operator of filter 4" }).click();
  await page.getByRole("option", { name: "greater than", exact: true }).click();
  await countAfter("+ AND points > 50", () => page.locator(`input[aria-label="Value of filter 4"]`).fill("50"));
  await page.screenshot({ path: join(shots, "segment-editor-1m.png") });
  await page.evaluate(() => (location.hash = "#/segments"));
  await page.getByTestId("segment-list").waitFor();
  await page.screenshot({ path: join(shots, "segments-list-1m.png") });
  await browser.close();
} finally {
  proc.kill("SIGINT");
}
