// Emails (issue 6): a segment email written in the editor (tokens, live preview as a
// contact, checker), sent from the send screen to a loopback SMTP sink, with statistics;
// SMTP settings; French labels. The SMTP sink is a few lines of Node (the maildev end-to-end
// test in tests/maildev checks the messages themselves).
import { execFileSync } from "node:child_process";
import { startSink } from "../smtpsink.mjs";

const N = 25;
let sink;
const received = [];

export async function before({ bin, dataDir }) {
  sink = await startSink(received);
  execFileSync(bin, ["--data-dir", dataDir, "emails", "settings", "--from", "news@magpie.test"]);
  const now = Date.now();
  execFileSync("sqlite3", [`${dataDir}/magpie.db`], {
    input: `.timeout 10000
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${N})
INSERT INTO contacts(id, firstname, lastname, email, date_added, date_modified)
  SELECT printf('ui-%03d', i), 'Zoé' || i, 'Martin', 'zoe' || i || '@example.com', ${now}, ${now} FROM seq;
INSERT INTO segments(id, name, alias, filters, date_added, date_modified) VALUES('newsletter', 'Newsletter', 'newsletter', '[]', ${now}, ${now});
INSERT INTO segment_members(segment_id, contact_id, date_added) SELECT 'newsletter', id, ${now} FROM contacts;
`,
  });
}

export default async function ({ page, expect, shot, rpc }) {
  try {
    // SMTP settings point at the sink.
    await page.getByRole("link", { name: "Emails" }).click();
    await page.getByRole("heading", { name: "Emails" }).waitFor();
    await page.getByText("No emails yet").waitFor();
    await shot("emails-empty");
    await page.getByRole("button", { name: "Email sending" }).click();
    await page.getByLabel("SMTP host").fill("127.0.0.1");
    await page.getByLabel("Port").fill(String(sink.address().port));
    await page.getByRole("combobox", { name: "TLS" }).click();
    await page.getByRole("option", { name: "none" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Email settings saved").waitFor();
    await shot("emails-settings");

    // A new segment email: name, subject with a token, HTML without an unsubscribe link.
    await page.goto(`${new URL(page.url()).origin}/#/emails/new/list`);
    await page.getByLabel("Name").fill("Spring newsletter");
    await page.getByLabel("Subject").fill("Hello {contactfield=firstname|friend}");
    const html = page.getByTestId("html-editor");
    await html.fill('<html><body><h1>Hi {contactfield=firstname}</h1><p><a href="https://shop.example/">Shop</a></p></body></html>');
    // The checker warns about the missing unsubscribe link (segment email).
    await page.getByTestId("email-issues").getByText(/unsubscribe/).waitFor();
    // Preview as a contact fills the tokens.
    await page.getByRole("combobox", { name: "Preview as contact" }).click();
    await page.getByRole("option", { name: /Zoé1 Martin/ }).first().click();
    await page.getByTestId("preview-subject").getByText("Hello Zoé1").waitFor();
    const frame = page.frameLocator('[data-testid="preview-frame"]');
    await frame.getByRole("heading", { name: "Hi Zoé1" }).waitFor();
    // Token menu inserts the unsubscribe link at the cursor; the warning goes away.
    await html.click();
    await page.keyboard.press("Control+End");
    await page.getByRole("button", { name: "Insert token" }).click();
    await page.getByRole("menuitem", { name: "{unsubscribe_text}" }).click();
    await page.getByTestId("email-issues").getByText("No problems found").waitFor();
    await page.locator("label", { hasText: "Mobile" }).click();
    await shot("email-editor");

    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByLabel("Segments", { exact: true }).first().click();
    await page.getByRole("option", { name: "Newsletter" }).click();
    await page.keyboard.press("Escape");
    await page.getByLabel("utm_campaign").fill("spring");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText(/Email saved \(revision 1\)/).waitFor();
    await page.waitForFunction(() => /#\/emails\/[0-9a-f-]{36}$/.test(location.hash));

    // Send: recipients first, then send; the job finishes and the sink holds N messages.
    await page.getByRole("tab", { name: "Send" }).click();
    await page.getByRole("button", { name: "Check recipients" }).click();
    await page.getByTestId("dry-run").getByText(`Recipients now: ${N}`, { exact: false }).waitFor();
    await page.getByTestId("send-now").click();
    await page.getByTestId("send-progress").getByText(`${N} sent`, { exact: false }).waitFor({ timeout: 30_000 });
    await shot("email-send");
    for (let i = 0; i < 100 && received.length < N; i++) await new Promise((r) => setTimeout(r, 100));
    expect.equal(received.length, N, "messages at the SMTP sink");
    expect.match(received[0], /List-Unsubscribe-Post: List-Unsubscribe=One-Click/, "one-click unsubscribe header");

    // Statistics. The "sending" notification (top centre) covers the tab row until it
    // closes; it pauses while hovered, so move the mouse away and wait for it.
    await page.mouse.move(700, 700);
    await page.waitForFunction(() => !document.querySelector(".mantine-Notification-root"), null, { timeout: 15_000 });
    await page.getByRole("tab", { name: "Statistics" }).click();
    await page.getByTestId("email-stats").waitFor();
    await page.getByTestId("email-stats").getByText(String(N), { exact: true }).first().waitFor();
    await shot("email-stats");

    // The list shows the counts; French labels.
    await page.getByRole("link", { name: "Emails" }).click();
    await page.getByTestId("email-list").getByText("Spring newsletter").waitFor();
    const list = await rpc("Emails.List", { search: "", kind: "", deleted: false });
    expect.equal(list[0].sent, N, "sent count in the list");
    await page.getByRole("button", { name: /^Language/ }).click();
    await page.getByRole("heading", { name: "E-mails" }).waitFor();
    await shot("emails-list-fr");

    // The visual MJML builder (GrapesJS, bundled and lazily loaded: no network needed), its
    // sample content in the UI language.
    await page.getByRole("link", { name: "E-mails" }).click();
    await page.getByRole("button", { name: "Nouvel e-mail modèle" }).click();
    await page.getByLabel("Nom").first().fill("Visual");
    await page.locator("label", { hasText: "Visuel (MJML)" }).click();
    await page.getByTestId("mjml-builder").locator(".gjs-editor").waitFor({ timeout: 30_000 });
    const canvas = page.frameLocator(".gjs-frame");
    await canvas.getByText("Écrivez votre message ici.").waitFor();
    const previewHas = (text) =>
      page.waitForFunction((t) => document.querySelector('[data-testid="preview-frame"]')?.srcdoc.includes(t), text);
    await previewHas("Écrivez votre message ici.");
    await page.getByTestId("mjml-builder").scrollIntoViewIfNeeded();
    await shot("email-builder-mjml");
    // A starter theme replaces the content.
    await page.getByRole("combobox", { name: "Partir d'un thème" }).click();
    await page.getByRole("option", { name: "Announcement" }).click();
    await page.frameLocator(".gjs-frame").getByText("Discover it").waitFor();
    await previewHas("Big news, friend!");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByText(/E-mail enregistré/).waitFor();
    const all = await rpc("Emails.List", { search: "Visual", kind: "", deleted: false });
    const saved = await rpc("Emails.Get", all[0].id);
    expect.equal(saved.kind, "template", "a new template email");
    expect.match(saved.source, /^<mjml>/, "MJML source kept");
    expect.match(saved.html, /Discover it/, "compiled HTML of the theme saved");
    expect.ok(!/<mj-/.test(saved.html), "no MJML tags left in the HTML");
  } finally {
    sink.close();
  }
}
