// Accessibility (WCAG 2.1 A and AA): axe-core checks every main screen — lists, pages and
// editors, dialogs, the command palette, the import mapping — in the light theme in English
// and the dark theme in French, on seeded data. Any violation fails the spec with the screen, the rule and the
// elements, so a new screen or colour that breaks AA is caught here.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

// The French names of the buttons and tabs the scan clicks (frontend/src/i18n).
const FRENCH = {
  Columns: "Colonnes",
  Export: "Exporter",
  "New segment": "Nouveau segment",
  "New campaign": "Nouvelle campagne",
  "New point action": "Nouvelle action à points",
  "New trigger": "Nouveau déclencheur",
  "New stage": "Nouvelle étape",
  "New template email": "Nouvel e-mail modèle",
  "New focus item": "Nouvel élément focus",
  "New dynamic content": "Nouveau contenu dynamique",
  "New form": "Nouveau formulaire",
  "New landing page": "Nouvelle page",
  "New report": "Nouveau rapport",
  "New field": "Nouveau champ",
  Timeline: "Historique",
  Companies: "Entreprises",
  "Everything else": "Tout le reste",
  "Do not contact": "Ne pas contacter",
  Members: "Membres",
  Settings: "Réglages",
  Send: "Envoi",
  Preview: "Aperçu",
};

// A published campaign with an action, a decision and a condition on both paths: every kind
// of node, with its counts.
const campaign = {
  name: "Welcome journey",
  graph: {
    sources: [{ id: "s", type: "segment", ids: ["all"] }],
    events: [
      { id: "t", name: "Tag", kind: "action", type: "contact.tags", parent: null, path: "", props: { add: ["welcomed"] } },
      { id: "d", name: "Visits pricing", kind: "decision", type: "page.visit", parent: "t", path: "", props: {} },
      { id: "c", name: "Valid email", kind: "condition", type: "email.valid", parent: "d", path: "yes", props: {} },
      { id: "p", name: "Points", kind: "action", type: "points.adjust", parent: "d", path: "no", props: { points: 5 } },
    ],
  },
};

export function before({ bin, dataDir, tmp }) {
  const run = (...args) => execFileSync(bin, ["--data-dir", dataDir, ...args], { stdio: "pipe" });
  run("seed", "--contacts", "300", "--seed", "7");
  const all = join(tmp, "all.json");
  writeFileSync(all, '[{"glue":"and","field":"email","object":"lead","type":"email","operator":"!empty"}]');
  run("segments", "create", "--name", "All", "--alias", "all", "--filters", all);
  const file = join(tmp, "campaign.json");
  writeFileSync(file, JSON.stringify(campaign));
  const { id } = JSON.parse(run("campaigns", "import", file, "--json").toString());
  run("campaigns", "publish", id); // its nodes show their counts
}

export default async function ({ page, base, tmp, expect }) {
  const csv = join(tmp, "few.csv");
  writeFileSync(csv, "Prénom;Nom;E-mail\nZoé;Dupré;zoe@exemple.fr\n");

  /** settle waits until the screen has loaded its data (no loader, nothing busy). */
  const settle = async () => {
    await page.waitForTimeout(120);
    await page.waitForFunction(() => !document.querySelector('.mantine-Loader-root, [aria-busy="true"]'), null, {
      timeout: 10_000,
    });
    await page.waitForTimeout(120);
  };
  const go = async (route) => {
    await page.keyboard.press("Escape"); // a dialog or the palette left open by the last screen
    await page.goto(`${base}/#${route}`);
    await settle();
  };
  let french = false;
  const say = (name) => (french ? (FRENCH[name] ?? name) : name);
  const click = async (name) => {
    await page.getByRole("button", { name: say(name), exact: true }).first().click();
    await settle();
  };

  const screens = [
    ["home", () => go("/")],
    ["dashboard", () => go("/dashboard")],
    ["contacts", () => go("/contacts")],
    ["column chooser", () => click("Columns")],
    [
      "export dialog",
      async () => {
        await go("/contacts");
        await click("Export");
      },
    ],
    [
      "contacts, one selected",
      async () => {
        await go("/contacts");
        await page.locator('[role="row"][aria-rowindex="2"] input[type="checkbox"]').check();
        await settle();
      },
    ],
    ["batch actions menu", () => click("Actions")],
    [
      "contact page",
      async () => {
        await go("/contacts");
        await page.getByTestId("contact-search").fill("is:identified");
        await page.locator('[role="row"][aria-rowindex="2"] a').first().click();
        await page.getByTestId("contact-name").waitFor();
        await settle();
      },
      ["Timeline", "Notes", "Companies", "Do not contact", "Segments"],
    ],
    ["new contact", () => go("/contacts/new")],
    ["companies", () => go("/companies")],
    [
      "company page",
      async () => {
        await go("/companies");
        await page.getByRole("main").getByRole("link").first().click();
        await settle();
      },
    ],
    ["segments", () => go("/segments")],
    ["segment editor", () => click("New segment")],
    [
      "segment",
      async () => {
        await go("/segments");
        await page.getByRole("link", { name: "All", exact: true }).click();
        await settle();
      },
      ["Members", "Versions"],
    ],
    ["campaigns", () => go("/campaigns")],
    ["new campaign", () => click("New campaign")],
    [
      "campaign builder",
      async () => {
        await go("/campaigns");
        await page.getByRole("link", { name: "Welcome journey" }).click();
        await page.getByTestId("node-counts").first().waitFor();
        await page.getByText("Visits pricing").click();
        await settle();
      },
    ],
    ["points", () => go("/points")],
    ["point action dialog", () => click("New point action")],
    ["triggers", () => go("/points/triggers")],
    ["trigger dialog", () => click("New trigger")],
    ["stages", () => go("/stages")],
    ["stage dialog", () => click("New stage")],
    ["emails", () => go("/emails")],
    ["email editor", () => click("New template email"), ["Settings", "Send"]],
    ["focus items", () => go("/focus")],
    ["focus editor", () => click("New focus item")],
    ["dynamic content", () => go("/dwc")],
    ["dynamic content editor", () => click("New dynamic content")],
    ["forms", () => go("/forms")],
    ["form builder", () => click("New form"), ["Actions", "Settings", "Preview"]],
    ["landing pages", () => go("/pages")],
    ["landing page builder", () => click("New landing page")],
    ["assets", () => go("/assets")],
    ["reports", () => go("/reports")],
    ["report builder", () => click("New report")],
    ["custom fields", () => go("/fields")],
    ["field dialog", () => click("New field")],
    ["import", () => go("/import")],
    [
      "import mapping",
      async () => {
        await page.locator('input[type="file"]').setInputFiles(csv);
        await page.getByTestId("mapping").waitFor();
        await settle();
      },
    ],
    ["trash", () => go("/trash"), ["Companies", "Everything else"]],
    ["settings", () => go("/settings")],
    ["sync settings", () => go("/settings/sync")],
    [
      "command palette",
      async () => {
        await go("/");
        await page.keyboard.press("Control+k");
        await page.getByRole("dialog").waitFor();
        await settle();
      },
    ],
  ];

  const found = [];
  for (const theme of ["light", "dark"]) {
    await go("/settings");
    await page.locator("label", { hasText: theme === "light" ? "Light" : "Dark" }).click();
    await page.waitForFunction((t) => document.documentElement.dataset.mantineColorScheme === t, theme);
    if (theme === "dark") {
      await page.locator("label", { hasText: "Français" }).click();
      await page.getByRole("heading", { name: "Paramètres" }).waitFor();
      french = true;
    }
    const scan = async (name) => {
      await page.mouse.move(0, 0); // no hover state left by the last click
      await page.evaluate(axeSource);
      const violations = await page.evaluate(
        async (tags) =>
          (await window.axe.run(document, { runOnly: { type: "tag", values: tags } })).violations.map((v) => ({
            rule: v.id,
            help: v.help,
            nodes: v.nodes.map((n) => `${n.target.join(" ")} — ${(n.failureSummary || "").replace(/\s+/g, " ")}`),
          })),
        TAGS,
      );
      for (const v of violations) {
        found.push(`${name} (${theme}${french ? ", French" : ""}): ${v.rule} — ${v.help}\n    ${v.nodes.slice(0, 5).join("\n    ")}`);
      }
    };
    for (const [name, open, tabs = []] of screens) {
      await open();
      await scan(name);
      for (const tab of tabs) {
        await page.getByRole("tab", { name: new RegExp(`^${say(tab)}`) }).click();
        await settle();
        await scan(`${name} › ${tab}`);
      }
    }
  }
  expect.ok(found.length === 0, `WCAG 2.1 AA violations:\n${found.join("\n")}`);
}
