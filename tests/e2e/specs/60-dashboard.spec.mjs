// Dashboard (issue 8): every widget type renders on seeded data (charts draw non-blank
// canvases, tables have rows, the rest say why they are empty); arranging with buttons, by
// dragging and by resizing is saved for the user; a bad date range is explained in place.
import { execFileSync } from "node:child_process";

export function before({ bin, dataDir }) {
  execFileSync(bin, ["seed", "--contacts", "3000", "--events", "30000", "--seed", "8", "--data-dir", dataDir], { stdio: "pipe" });
}

/** canvasInk counts non-transparent pixels drawn in a widget's chart canvas. */
async function canvasInk(widget) {
  return widget.locator("canvas").first().evaluate((c) => {
    const ctx = c.getContext("2d");
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
}

export default async function ({ page, expect, shot, rpc }) {
  await rpc("Segments.Save", {
    id: "",
    name: "France",
    alias: "",
    description: "",
    filters: '[{"glue":"and","field":"country","object":"lead","operator":"=","properties":{"filter":"France"}}]',
    published: true,
  });
  await rpc("Segments.Save", {
    id: "",
    name: "Germany",
    alias: "",
    description: "",
    filters: '[{"glue":"and","field":"country","object":"lead","operator":"=","properties":{"filter":"Germany"}}]',
    published: true,
  });

  // Every widget type on one board (saved through the API, as the user's board).
  const types = await rpc("Dashboard.Types");
  const wide = new Set(["created.leads.in.time", "welcome"]);
  await rpc(
    "Dashboard.SaveLayout",
    types.map((type, i) => ({ id: `w${i + 1}`, type, w: wide.has(type) ? 12 : 6, h: 1 })),
  );
  await page.goto(`${new URL(page.url()).origin}/#/dashboard`);
  await page.reload(); // the home screen already read the (default) board
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  await page.getByRole("combobox", { name: "Period" }).click();
  await page.getByRole("option", { name: "Last 12 months" }).click();
  const widgets = page.getByTestId("dash-widget");
  await page
    .waitForFunction(
      (n) => document.querySelectorAll('[data-testid="dash-widget"]:not([data-state="loading"])').length === n,
      types.length,
      { timeout: 30_000 },
    )
    .catch(async (e) => {
      const states = await widgets.evaluateAll((ws) => ws.map((w) => `${w.dataset.type}=${w.dataset.state}`));
      throw new Error(`widgets still loading: ${states.join(" ")}: ${e.message}`);
    });
  expect.equal(await widgets.count(), types.length, "one tile per widget type");

  const charts = [
    "created.leads.in.time",
    "page.hits.in.time",
    "emails.in.time",
    "map.of.leads",
    "top.lists",
    "points.funnel",
  ];
  const tables = ["popular.pages", "top.referrers", "most.sent.emails", "recent.activity"];
  const empty = {
    "upcoming.campaign.events": /No campaigns yet|No campaign event/,
    "top.campaigns": /No campaigns yet|Nothing/,
    "stages.funnel": /No stages yet/,
    "submissions.in.time": /Nothing in this period/,
  };
  await page.waitForTimeout(1500); // chart animations finish
  for (const type of charts) {
    const w = page.locator(`[data-testid="dash-widget"][data-type="${type}"]`);
    expect.equal(await w.getAttribute("data-state"), "chart", `${type} draws a chart`);
    const ink = await canvasInk(w);
    expect.ok(ink > 500, `${type} canvas has drawn pixels (${ink})`);
  }
  for (const type of tables) {
    const w = page.locator(`[data-testid="dash-widget"][data-type="${type}"]`);
    expect.equal(await w.getAttribute("data-state"), "table", `${type} shows a table`);
    expect.ok((await w.locator("tbody tr").count()) > 0, `${type} has rows`);
  }
  for (const [type, re] of Object.entries(empty)) {
    const w = page.locator(`[data-testid="dash-widget"][data-type="${type}"]`);
    const state = await w.getAttribute("data-state");
    if (state === "empty") expect.match(await w.getByTestId("dash-empty").textContent(), re, `${type} empty state`);
    else expect.ok(state === "chart" || state === "table", `${type} renders (${state})`);
  }
  await page.locator('[data-testid="dash-widget"][data-type="welcome"]').getByTestId("dash-welcome").waitFor();
  expect.equal(await page.getByTestId("dash-error").count(), 0, "no widget failed");
  await page.setViewportSize({ width: 1360, height: 2300 }); // the whole board in one picture
  await page.waitForTimeout(800);
  await shot("dashboard-all-widgets");
  await page.setViewportSize({ width: 1360, height: 860 });

  // The default board on the home screen, with data.
  await rpc("Dashboard.ResetLayout");
  await page.getByRole("navigation").getByRole("link", { name: "Home" }).click();
  await page.getByTestId("dash-grid").waitFor();
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-testid="dash-widget"]').length > 0 &&
      document.querySelectorAll('[data-testid="dash-widget"][data-state="loading"]').length === 0,
  );
  await page.waitForTimeout(1000);
  await shot("dashboard-home");

  // Arrange with the buttons (keyboard reachable): move the 2nd tile before the 1st, widen it.
  const order = () => widgets.evaluateAll((ws) => ws.map((w) => w.getAttribute("data-type")));
  const before = await order();
  await page.getByTestId("dash-edit").click();
  const second = before[1];
  const name = await page.locator(`[data-testid="dash-widget"][data-type="${second}"] h3`).textContent();
  await page.getByRole("button", { name: `Move ${name} before` }).focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction((t) => document.querySelector('[data-testid="dash-widget"]')?.getAttribute("data-type") === t, second);
  const span = (type) =>
    page.locator(`[data-testid="dash-widget"][data-type="${type}"]`).evaluate((el) => el.style.gridColumn);
  const w0 = await span(second);
  await page.getByRole("button", { name: `Make ${name} narrower` }).click();
  await page.waitForFunction(([t, w]) => document.querySelector(`[data-testid="dash-widget"][data-type="${t}"]`).style.gridColumn !== w, [second, w0]);
  await shot("dashboard-arrange");

  // Add a widget from the menu, then remove it with its button.
  const count = await widgets.count();
  await page.getByRole("combobox", { name: "Add a widget" }).click();
  await page.getByRole("option", { name: "Form submissions" }).click();
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="dash-widget"]').length === n + 1, count);
  expect.equal(await widgets.last().getAttribute("data-type"), "submissions.in.time", "added at the end");
  await page.getByRole("button", { name: "Remove Form submissions" }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="dash-widget"]').length === n, count);

  // Drag the last tile's handle onto the tile before it (same row): they swap places.
  const cur = await order();
  const last = cur.at(-1);
  const prev = cur.at(-2);
  await page
    .locator(`[data-testid="dash-widget"][data-type="${last}"]`)
    .getByTestId("dash-drag")
    .dragTo(page.locator(`[data-testid="dash-widget"][data-type="${prev}"]`));
  await page.waitForFunction(
    ([a, b]) => {
      const ts = [...document.querySelectorAll('[data-testid="dash-widget"]')].map((w) => w.getAttribute("data-type"));
      return ts.at(-2) === a && ts.at(-1) === b;
    },
    [last, prev],
  );

  // Resize the first tile with the pointer: drag its corner left by a third of the grid.
  const first = widgets.first();
  await first.getByTestId("dash-resize").scrollIntoViewIfNeeded();
  const handle = await first.getByTestId("dash-resize").boundingBox();
  const grid = await page.getByTestId("dash-grid").boundingBox();
  const spanBefore = await first.evaluate((el) => el.style.gridColumn);
  await page.mouse.move(handle.x + 8, handle.y + 8);
  await page.mouse.down();
  await page.mouse.move(handle.x + 8 - grid.width / 3, handle.y + 8, { steps: 6 });
  await page.mouse.up();
  const spanAfter = await first.evaluate((el) => el.style.gridColumn);
  expect.ok(spanAfter !== spanBefore, `pointer resize changed the width (${spanBefore} → ${spanAfter})`);

  // Saved for the user: a reload shows the same arrangement.
  const arranged = await order();
  await page.waitForTimeout(500);
  await page.reload();
  await page.getByTestId("dash-grid").waitFor();
  expect.equal(JSON.stringify(await order()), JSON.stringify(arranged), "arrangement survives a reload");
  expect.equal(await widgets.first().evaluate((el) => el.style.gridColumn), spanAfter, "resized width survives a reload");

  // A period that ends before it starts is explained; fixing it brings the board back.
  await page.getByRole("textbox", { name: "From", exact: true }).fill("2026-12-31");
  await page.getByRole("textbox", { name: "To", exact: true }).fill("2026-01-01");
  await page.getByText("The period starts (2026-12-31) after it ends (2026-01-01)").waitFor();
  await page.getByRole("combobox", { name: "Period" }).click();
  await page.getByRole("option", { name: "Last 30 days" }).click();
  await page.getByText("The period starts").waitFor({ state: "detached" });

  // French, dark.
  await page.getByRole("button", { name: "Language: English" }).click();
  await page.getByRole("button", { name: "Basculer thème clair/sombre" }).click();
  await page.getByText("Contacts créés").first().waitFor();
  await page.waitForTimeout(1000);
  await shot("dashboard-fr-dark");
}
