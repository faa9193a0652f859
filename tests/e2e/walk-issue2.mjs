// Issue 2's "Done when", walked as a new user in the browser (`magpie serve` on an empty data
// dir, Debian's Chromium): import a 100k-row CSV (';', UTF-8 with BOM, accented names, a
// company column, 3 bad rows) through the wizard — mapping screen, progress bar with rows/s,
// rejected rows downloaded — then find, edit and export contacts, the companies list and a
// company page, the custom field manager, settings (data dir, version, theme) and the French
// UI. Prints what it saw and writes docs/screenshots/walk-*.png (names stable).
//   BIN=build/bin/magpie node walk-issue2.mjs        (ROWS=100000 by default)
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BIN = process.env.BIN;
if (!BIN) throw new Error("BIN is required");
const ROWS = Number(process.env.ROWS || 100000);
const shots = join(dirname(fileURLToPath(import.meta.url)), "../../docs/screenshots");
const tmp = mkdtempSync(join(tmpdir(), "magpie-walk-"));
const dataDir = join(tmp, "data");

// The CSV: French headers, ';', UTF-8 with a BOM, accented names, companies, 3 bad rows.
const first = ["Hélène", "Zoé", "Anaïs", "Jérôme", "Björn", "Chloé", "Françoise", "Maël", "Noémie", "José"];
const last = ["Dupré", "Lefèvre", "Müller", "Nguyễn", "Côté", "García", "Østergaard", "Šimić", "Brontë", "Ibáñez"];
const cities = ["Besançon", "Orléans", "Montréal", "Zürich", "Kraków", "São Paulo"];
const lines = ["Prénom;Nom;E-mail;Société;Ville;Pays;Points"];
for (let i = 0; i < ROWS; i++) {
  const f = first[i % first.length];
  const l = last[Math.floor(i / 10) % last.length];
  lines.push(`${f};${l};${f.normalize("NFD").replace(/[^\x00-\x7f]/g, "").toLowerCase()}.${i}@exemple.fr;Société ${i % 500};${cities[i % cities.length]};France;${i % 100}`);
}
lines.push("Bad;Email;pas-un-email;;Paris;France;1");
lines.push("Bad;Points;bad.points@exemple.fr;;Paris;France;beaucoup");
lines.push('Multi;"Ligne;deux";multi.ligne@exemple.fr;"Société\nsur deux lignes";Paris;France;2');
lines.push("Bad;Country;bad.country@exemple.fr;;Paris;Atlantis;3");
const csv = join(tmp, "contacts-100k.csv");
writeFileSync(csv, `\ufeff${lines.join("\r\n")}\r\n`);
console.log(`CSV: ${ROWS + 4} rows, ${(statSync(csv).size / 1e6).toFixed(1)} MB`);

const urlFile = join(tmp, "url");
const proc = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--url-file", urlFile], { stdio: "inherit" });
const t = () => new Date().toISOString().slice(11, 19);
try {
  for (let i = 0; i < 1200 && !existsSync(urlFile); i++) await new Promise((r) => setTimeout(r, 50));
  const url = readFileSync(urlFile, "utf8").trim();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 }, acceptDownloads: true });
  page.on("pageerror", (e) => console.log("PAGE ERROR:", e.message));
  const shot = (name) => page.screenshot({ path: join(shots, `walk-${name}.png`) });
  await page.goto(url);
  await page.getByTestId("welcome-empty").waitFor({ timeout: 60_000 });

  // 1. Import wizard.
  await page.getByRole("navigation").getByRole("link", { name: "Import" }).click();
  await page.locator('input[type="file"]').setInputFiles(csv);
  await page.getByTestId("mapping").waitFor({ timeout: 60_000 });
  console.log(t(), "detected:", await page.getByTestId("import-detected").textContent());
  await shot("import-mapping");
  await page.getByRole("button", { name: "Start the import" }).click();
  const progress = page.getByTestId("job-progress");
  await progress.waitFor();
  await page.waitForTimeout(2500);
  console.log(t(), "progress:", (await progress.textContent()).replace(/\s+/g, " "));
  await shot("import-progress");
  await page.getByTestId("import-result").waitFor({ timeout: 600_000 });
  console.log(t(), "result:", (await page.getByTestId("import-result").textContent()).replace(/\s+/g, " "));
  await shot("import-result");
  const [dl] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download rejected rows (CSV)" }).click(),
  ]);
  const rej = join(tmp, "rejected.csv");
  await dl.saveAs(rej);
  console.log(t(), "rejected CSV:\n" + readFileSync(rej, "utf8"));

  // 2. Find (accent-insensitive), open, edit, save.
  await page.getByRole("button", { name: "Browse contacts" }).click();
  await page.getByTestId("contact-total").waitFor();
  const total = await page.getByTestId("contact-total").textContent();
  console.log(t(), "contacts total:", total);
  await page.getByTestId("contact-search").fill("helene dupre");
  await page.waitForFunction(
    (all) => document.querySelector('[data-testid="contact-total"]')?.textContent !== all,
    total,
  );
  await page.locator('[role="row"][aria-rowindex="2"]').waitFor();
  console.log(t(), "search 'helene dupre':", await page.getByTestId("contact-total").textContent());
  await shot("contacts-search");
  await page.locator('[role="row"][aria-rowindex="2"] a').first().click();
  await page.getByTestId("contact-name").waitFor();
  await page.getByRole("button", { name: "Edit" }).click();
  await page.locator('input[data-field="city"]').fill("Saint-Étienne");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByTestId("value-city").waitFor();
  console.log(t(), "city after edit:", await page.getByTestId("value-city").textContent());
  await shot("contact-edited");

  // 3. Export the search to XLSX.
  await page.getByRole("navigation").getByRole("link", { name: "Contacts" }).click();
  await page.getByTestId("contact-search").fill("zoe");
  await page.waitForTimeout(800);
  console.log(t(), "search 'zoe':", await page.getByTestId("contact-total").textContent());
  await page.getByRole("button", { name: "Export", exact: true }).click();
  await shot("export-dialog");
  await page.getByRole("dialog").getByText("Excel (XLSX)").click();
  await page.getByTestId("export-start").click();
  await page.getByTestId("export-save").waitFor({ timeout: 120_000 });
  const [exp] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-save").click()]);
  const expPath = join(tmp, exp.suggestedFilename());
  await exp.saveAs(expPath);
  console.log(t(), "export:", exp.suggestedFilename(), statSync(expPath).size, "bytes");
  await page.keyboard.press("Escape");

  // 4. Companies list and a company page.
  await page.getByRole("navigation").getByRole("link", { name: "Companies" }).click();
  await page.waitForTimeout(1500);
  await shot("companies");
  const co = page.getByRole("link", { name: /Société 1\b/ }).first();
  if (await co.count()) {
    await co.click();
    await page.waitForTimeout(1500);
    await shot("company-page");
  } else console.log("NO company link named 'Société 1'");

  // 5. Custom fields.
  await page.getByRole("navigation").getByRole("link", { name: "Custom fields" }).click();
  await page.getByTestId("fields-contact").waitFor();
  await shot("fields");

  // 6. Settings: data dir, version, dark theme; then French.
  await page.getByRole("navigation").getByRole("link", { name: "Settings" }).click();
  await page.getByTestId("system-info").waitFor();
  console.log(t(), "settings:", (await page.getByTestId("system-info").textContent()).replace(/\s+/g, " "));
  await page.locator("label", { hasText: "Dark" }).click();
  await shot("settings-dark");
  await page.locator("label", { hasText: "Français" }).click();
  await page.getByRole("heading", { name: "Paramètres" }).waitFor();
  await page.getByRole("navigation").getByRole("link", { name: "Contacts" }).click();
  await page.getByTestId("contact-total").waitFor();
  await page.waitForTimeout(800);
  await shot("contacts-fr-dark");
  await page.getByRole("navigation").getByRole("link", { name: "Importer" }).click();
  await page.waitForTimeout(800);
  await shot("import-fr-dark");
  await browser.close();
} finally {
  proc.kill();
}
