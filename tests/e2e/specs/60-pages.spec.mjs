// Landing pages, dynamic web content and focus items (issue 9): a page written as HTML is
// sanitised on save and previewed; the GrapesJS builder opens in page mode; an A/B variant is
// added; a segment is shown on the preference center; a DWC slot gets a variant with a
// segment filter and resolves for a contact; a focus item is previewed in a shadow root.
import { execFileSync } from "node:child_process";

export async function before({ bin, dataDir }) {
  execFileSync(bin, ["--data-dir", dataDir, "tracking", "settings", "--public-url", "https://t.example.com"]);
  const now = Date.now();
  execFileSync("sqlite3", [`${dataDir}/magpie.db`], {
    input: `.timeout 10000
INSERT INTO contacts(id, firstname, lastname, email, city, date_added, date_modified)
  VALUES('c-ann', 'Ann', 'Lee', 'ann@example.com', 'Paris', ${now}, ${now}), ('c-bob', 'Bob', 'Ray', 'bob@example.com', 'Lyon', ${now}, ${now});
INSERT INTO segments(id, name, alias, filters, date_added, date_modified) VALUES('newsletter', 'Newsletter', 'newsletter', '[]', ${now}, ${now});
`,
  });
}

export default async function ({ page, expect, shot, dataDir }) {
  // --- landing page (HTML mode) ---------------------------------------------------------
  await page.getByRole("link", { name: "Landing pages" }).click();
  await page.getByRole("heading", { name: "Landing pages", level: 2 }).waitFor();
  await page.getByText("No landing pages yet").waitFor();
  await page.getByRole("button", { name: "New landing page" }).click();
  await page.getByLabel("Title").fill("Spring sale");
  await page.locator('label[for$="-html"]').click();
  await page.getByRole("textbox", { name: "HTML", exact: true }).fill(
    '<h1 onclick="steal()">Spring sale</h1><p>Hello {contactfield=firstname|there}</p><script>alert(1)</script>',
  );
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Page saved").waitFor();
  await page.waitForURL(/#\/pages\/[0-9a-f-]{36}$/);
  const html = await page.getByRole("textbox", { name: "HTML", exact: true }).inputValue();
  expect.ok(!html.includes("script") && !html.includes("onclick"), `stored HTML is sanitised: ${html}`);
  expect.equal(await page.getByLabel("Alias (address /p/…)").inputValue(), "spring-sale");
  await page.getByRole("tab", { name: "SEO" }).click();
  await page.getByLabel("SEO title").fill("Spring sale — 20 % off");
  await page.getByLabel("Meta description").fill("Our best offer of the season");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Page saved").first().waitFor();
  await page.getByRole("tab", { name: "Preview" }).click();
  const frame = page.frameLocator('iframe[title="Spring sale"]');
  await frame.getByText("Hello there").waitFor();
  await shot("pages-editor-preview");

  // A/B variant from the family tab.
  await page.getByRole("tab", { name: "Variants and translations" }).click();
  await page.getByRole("button", { name: "Add an A/B variant" }).click();
  await page.getByLabel("Traffic weight (%)").waitFor();
  await page.getByLabel("Title").fill("Spring sale B");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Page saved").first().waitFor();
  await page.waitForURL(/#\/pages\/[0-9a-f-]{36}$/); // saved: the earlier save's toast may still show

  // Builder mode: the GrapesJS editor in page mode.
  await page.getByRole("link", { name: "Landing pages" }).click();
  await page.getByRole("button", { name: "New landing page" }).click();
  await page.getByLabel("Title").fill("Webinar");
  await page.locator('[data-testid="page-builder"] iframe.gjs-frame').waitFor({ timeout: 20000 });
  await page.frameLocator('[data-testid="page-builder"] iframe.gjs-frame').getByText("Hello {contactfield=firstname|there}").waitFor();
  await page.waitForTimeout(600);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Page saved").first().waitFor();
  await page.waitForURL(/#\/pages\/[0-9a-f-]{36}$/); // saved: the earlier save's toast may still show
  await shot("pages-builder");

  // List with the preference-center segment flag.
  await page.getByRole("link", { name: "Landing pages" }).click();
  await page.getByTestId("page-list").getByRole("link", { name: "Spring sale" }).waitFor();
  await page.getByRole("checkbox", { name: "Newsletter" }).check();
  await page.getByText("Preference center updated").waitFor();
  await shot("pages-list");

  // A/B auto-winner on the main page: judged by bounce rate after 48 hours.
  await page.getByTestId("page-list").getByRole("link", { name: "Spring sale" }).click();
  await page.getByRole("tab", { name: "Variants and translations" }).click();
  await page.getByRole("combobox", { name: "Automatic winner" }).click();
  await page.getByRole("option", { name: "Lowest bounce rate" }).click();
  await page.getByLabel("Decide after (hours)").fill("48");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Page saved").first().waitFor();
  await page.getByText("The winner is chosen once this time has passed", { exact: false }).waitFor();
  await shot("pages-ab-winner");

  // --- dynamic web content ----------------------------------------------------------------
  await page.getByRole("link", { name: "Dynamic content" }).click();
  await page.getByText("No dynamic content yet").waitFor();
  await page.getByRole("button", { name: "New dynamic content" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Home hero");
  await page.getByRole("textbox", { name: "Slot name" }).fill("hero");
  await page.getByLabel("Default content (everyone else)").fill("<p>Welcome!</p>");
  await page.getByRole("button", { name: "Add a variant" }).click();
  await page.getByLabel("Variant name").fill("Parisians");
  await page.getByRole("button", { name: "Add a filter" }).click();
  await page.getByRole("combobox", { name: "Field of filter 1" }).click();
  await page.getByRole("combobox", { name: "Field of filter 1" }).fill("City");
  await page.getByRole("option", { name: "City", exact: true }).first().click();
  await page.locator('input[aria-label="Value of filter 1"]').fill("paris");
  await page.getByLabel("Content", { exact: true }).fill("<p>Bonjour {contactfield=firstname} !</p>");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Dynamic content saved").waitFor();
  await page.waitForURL(/#\/dwc\/[0-9a-f-]{36}$/);
  await page.getByLabel("Contact id (empty = unknown visitor)").fill("c-ann");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await page.getByText("<p>Bonjour Ann !</p>").waitFor();
  await page.getByLabel("Contact id (empty = unknown visitor)").fill("c-bob");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await page.getByText("<p>Welcome!</p>").last().waitFor();
  await shot("dwc-editor");

  // --- focus item -------------------------------------------------------------------------
  await page.getByRole("link", { name: "Focus items" }).click();
  await page.getByText("No focus items yet").waitFor();
  await page.getByRole("button", { name: "New focus item" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Newsletter bar");
  await page.getByLabel("Link URL").fill("https://example.com/newsletter");
  await page.getByRole("textbox", { name: "Only on these URLs (one wildcard pattern per line, empty = everywhere)" }).fill("*/blog/*");
  const preview = await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="focus-preview"]');
    return el?.shadowRoot?.querySelector(".mf-headline")?.textContent ?? null;
  });
  expect.equal(await preview.jsonValue(), "Get our newsletter");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Focus item saved").waitFor();
  await page.waitForURL(/#\/focus\/[0-9a-f-]{36}$/);
  await page.getByText("Nobody has seen this item yet", { exact: false }).waitFor();
  // Stats: what the tracker's ingest appends for views and a conversion (3 views by 2
  // visitors, 1 conversion) are counted on the item's card.
  const focusId = page.url().split("/").pop();
  const at = Date.now();
  execFileSync("sqlite3", [`${dataDir}/magpie.db`], {
    input: `.timeout 10000
INSERT INTO events(id, contact_id, type, at, object_id, source) VALUES
  ('fv1', 'c-ann', 'focus.viewed', ${at}, '${focusId}', 'tracker'), ('fv2', 'c-ann', 'focus.viewed', ${at}, '${focusId}', 'tracker'),
  ('fv3', 'c-bob', 'focus.viewed', ${at}, '${focusId}', 'tracker'), ('fc1', 'c-ann', 'focus.converted', ${at}, '${focusId}', 'tracker');
`,
  });
  await page.reload();
  const stats = page.getByTestId("focus-stats");
  await stats.getByText("Visitors who converted").waitFor();
  expect.ok((await stats.innerText()).includes("50 %"), `conversion rate shown: ${await stats.innerText()}`);
  await stats.locator("[data-chart] canvas").waitFor();
  await shot("focus-editor");
  // A bad link is refused with the field named.
  await page.getByLabel("Link URL").fill("javascript:alert(1)");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("The link must be an http(s) URL").waitFor();

  // The item is listed.
  await page.getByRole("link", { name: "Focus items" }).click();
  await page.getByTestId("focus-list").getByRole("link", { name: "Newsletter bar" }).waitFor();
}
