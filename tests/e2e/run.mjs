// End-to-end tests: each spec in specs/*.spec.mjs gets its own `magpie serve` on a fresh data
// dir (real backend, real SQLite) and a page in Debian's Chromium (playwright-core, no browser
// download). Screenshots go to docs/screenshots/ unless SHOTS=0.
//
//   BIN=build/bin/magpie node run.mjs [name-filter]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const BIN = process.env.BIN || join(root, "build/bin/magpie");
const SHOTS = process.env.SHOTS !== "0";
const shotDir = join(root, "docs/screenshots");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const filter = process.argv[2] || "";

if (!existsSync(BIN)) {
  console.error(`e2e: no binary at ${BIN} (run make build)`);
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** serve starts `magpie serve` on a free port and resolves with its URL (token included). */
async function serve(dataDir, extraArgs = []) {
  const urlFile = join(dataDir, "..", "url");
  const proc = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--url-file", urlFile, ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  for (let i = 0; i < 300; i++) {
    if (existsSync(urlFile)) {
      const url = readFileSync(urlFile, "utf8").trim();
      if (url) return { proc, url, log: () => log };
    }
    if (proc.exitCode !== null) throw new Error(`magpie serve exited (${proc.exitCode}):\n${log}`);
    await sleep(50);
  }
  proc.kill();
  throw new Error(`magpie serve printed no URL in 15 s:\n${log}`);
}

async function stop(proc) {
  if (proc.exitCode !== null) return;
  proc.kill("SIGTERM");
  for (let i = 0; i < 60 && proc.exitCode === null; i++) await sleep(50);
  if (proc.exitCode === null) proc.kill("SIGKILL");
}

/** A few assertions with messages that say what was expected. */
export const expect = {
  equal(got, want, what) {
    if (got !== want) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  },
  ok(v, what) {
    if (!v) throw new Error(`${what}: expected truthy, got ${JSON.stringify(v)}`);
  },
  match(s, re, what) {
    if (!re.test(String(s))) throw new Error(`${what}: ${JSON.stringify(s)} does not match ${re}`);
  },
};

const specs = readdirSync(join(here, "specs"))
  .filter((f) => f.endsWith(".spec.mjs") && f.includes(filter))
  .sort();
if (SHOTS) mkdirSync(shotDir, { recursive: true });

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
  ],
});

let passed = 0;
let failed = 0;
for (const file of specs) {
  const mod = await import(join(here, "specs", file));
  const tmp = mkdtempSync(join(tmpdir(), "magpie-e2e-"));
  const dataDir = join(tmp, "data");
  let server;
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, locale: "en-US" });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(process.env.E2E_STACKS ? e.stack : e.message));
  page.setDefaultTimeout(15_000);
  const t0 = Date.now();
  try {
    if (mod.before) await mod.before({ bin: BIN, dataDir, tmp });
    server = await serve(dataDir);
    await page.goto(server.url);
    const ctx = {
      page,
      url: server.url,
      base: new URL(server.url).origin,
      dataDir,
      tmp,
      bin: BIN,
      expect,
      /** rpc calls a bound method through the bridge, with the page's session cookie. */
      rpc: async (name, ...args) => {
        const body = await page.evaluate(
          async ([n, a]) => (await fetch(`/rpc/app.${n}`, { method: "POST", body: JSON.stringify(a) })).json(),
          [name, args],
        );
        if (body.error) throw new Error(`${name}: ${body.error.message}`);
        return body.result;
      },
      shot: async (name) => {
        if (SHOTS) await page.screenshot({ path: join(shotDir, `${name}.png`) });
      },
      /** openImport opens the import wizard on the CSV file at path, at its mapping screen. */
      openImport: async (path) => {
        await page.getByRole("navigation").getByRole("link", { name: "Import" }).click();
        await page.locator('input[type="file"]').setInputFiles(path);
        await page.getByTestId("mapping").waitFor();
      },
    };
    await mod.default(ctx);
    if (pageErrors.length) throw new Error(`page errors: ${pageErrors.join("; ")}`);
    passed++;
    console.log(`ok   ${file} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${file}: ${e.stack || e}`);
    if (pageErrors.length) console.log(`page errors: ${pageErrors.slice(0, 3).join("; ").slice(0, 2000)}`);
    if (server) console.log(`--- magpie log ---\n${server.log().slice(-4000)}`);
    try {
      await page.screenshot({ path: join(tmp, "..", `failed-${file}.png`) });
      console.log(`screenshot of the failure: ${join(tmp, "..", `failed-${file}.png`)}`);
    } catch {}
  } finally {
    await context.close();
    if (server) await stop(server.proc);
    rmSync(tmp, { recursive: true, force: true });
  }
}
await browser.close();
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
