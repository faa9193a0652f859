// Reports against the real backend: the empty list, a new report over the seeded page hits
// (group by month, bar graph drawn by echarts from the Go option), the date range error, an
// XLSX export job with its result, save, and the list with a daily schedule.
import { execFileSync } from "node:child_process";

export function before({ bin, dataDir }) {
  execFileSync(bin, ["--data-dir", dataDir, "seed", "--contacts", "150", "--events", "900", "--seed", "8"], { stdio: "ignore" });
}

export default async function ({ page, expect, shot }) {
  await page.getByRole("navigation").getByRole("link", { name: "Reports" }).click();
  await page.getByText("No reports yet").waitFor();
  await shot("reports-empty");
  await page.getByRole("button", { name: "New report" }).first().click();
  await page.getByTestId("report-name").fill("Page hits by month");

  // Page hits is the default source; group by its date, by month, and draw bars.
  await page.getByTestId("report-groupby").click({ force: true }); // the pills wrapper covers the input
  await page.getByRole("option", { name: "Date", exact: true }).click();
  await page.keyboard.press("Escape");
  await page.getByTestId("report-bucket").getByText("Month").click();
  await page.getByTestId("report-graph").getByText("Bar").click();
  await page.getByTestId("report-summary").waitFor();
  await page.locator("[data-chart] canvas").waitFor();
  // the canvas is drawn, not blank: some pixels differ from the first one
  await page.waitForFunction(() => {
    const c = document.querySelector("[data-chart] canvas");
    if (!c) return false;
    const ctx = c.getContext("2d");
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 0; i < d.length; i += 4 * 97) if (d[i + 3] !== 0) painted++;
    return painted > 50;
  });
  const count = await page.getByTestId("report-count").textContent();
  expect.ok(/of 9\d\d rows|of 1,?\d{3} rows/.test(count) || /of \d+ rows/.test(count), `row count text: ${count}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.getByTestId("report-name").scrollIntoViewIfNeeded();
  await shot("report-builder");

  // A range that ends before it starts is refused in place.
  await page.getByTestId("report-from").fill("2026-03-02");
  await page.getByTestId("report-to").fill("2026-03-01");
  await page.getByText("The range ends before it starts").waitFor();
  await page.getByTestId("report-from").fill("");
  await page.getByTestId("report-to").fill("");
  await page.locator("[data-chart] canvas").waitFor();

  // Contact filters use the segment filter editor: a filter no contact matches empties the
  // report, removing it brings the rows back.
  const rowsBefore = await page.getByTestId("report-count").textContent();
  const qe = page.getByTestId("query-editor"); // the column filters above use the same words
  await qe.scrollIntoViewIfNeeded();
  await qe.getByRole("button", { name: "Add a filter", exact: true }).click();
  await qe.getByRole("combobox", { name: "Field of filter 1" }).click();
  await qe.getByRole("combobox", { name: "Field of filter 1" }).fill("Email");
  await page.getByRole("option", { name: "Email", exact: true }).first().click();
  await qe.locator('input[aria-label="Value of filter 1"]').fill("nobody@nowhere.invalid");
  await page.getByTestId("report-count").filter({ hasText: "No rows match." }).waitFor();
  await qe.scrollIntoViewIfNeeded();
  await shot("report-contact-filters");
  await qe.getByRole("button", { name: "Remove filter 1" }).click();
  await page.waitForFunction(
    (b) => document.querySelector('[data-testid="report-count"]')?.textContent?.replace(/ · \d+ ms/, "") === b,
    rowsBefore.replace(/ · \d+ ms/, ""),
  );

  // Export to XLSX as a job.
  await page.getByTestId("report-export-xlsx").click();
  await page.getByTestId("report-export-done").waitFor({ timeout: 30000 });
  const done = await page.getByTestId("report-export-done").textContent();
  expect.ok(/Exported [\d,]+ rows to .*\.xlsx/.test(done), `export result: ${done}`);
  await page.getByTestId("report-export").scrollIntoViewIfNeeded();
  await shot("report-export");

  // Schedule it daily, emailed as an attachment.
  await page.getByTestId("report-every").click();
  await page.getByRole("option", { name: "Daily" }).click();
  await page.getByRole("combobox", { name: "Email to" }).fill("boss@example.com");
  await page.keyboard.press("Enter");
  await page.getByTestId("report-save").click();
  await page.getByText("Report saved").waitFor();
  await page.getByText(/next /).first().waitFor();
  await shot("report-saved");

  await page.getByRole("navigation").getByRole("link", { name: "Reports" }).click();
  const row = page.getByTestId("report-list").getByRole("row", { name: /Page hits by month/ });
  await row.waitFor();
  await row.getByText("Daily").waitFor();
  await shot("reports-list");
}
