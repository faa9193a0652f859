// Emails, second pass (issue 6): an A/B test on a 40 % sample chosen by open rate (the
// background sender decides the winner and sends it to the held recipients), an attachment
// uploaded from the editor as an asset and sent as a MIME part, a category, the contact
// page's email preferences (category opt-out, frequency rule), and a field error in French.
import { execFileSync } from "node:child_process";
import { startSink } from "../smtpsink.mjs";

const N = 30;
let sink;
const received = [];

export async function before({ bin, dataDir }) {
  sink = await startSink(received);
  execFileSync(bin, ["--data-dir", dataDir, "emails", "settings", "--from", "news@magpie.test",
    "--smtp-host", "127.0.0.1", "--smtp-port", String(sink.address().port), "--tls", "none"]);
  const now = Date.now();
  execFileSync("sqlite3", [`${dataDir}/magpie.db`], {
    input: `.timeout 10000
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${N})
INSERT INTO contacts(id, firstname, lastname, email, date_added, date_modified)
  SELECT printf('01900000-0000-7000-8000-%012d', i), 'Léa' || i, 'Roux', 'lea' || i || '@example.com', ${now}, ${now} FROM seq;
INSERT INTO segments(id, name, alias, filters, date_added, date_modified) VALUES('newsletter', 'Newsletter', 'newsletter', '[]', ${now}, ${now});
INSERT INTO segment_members(segment_id, contact_id, date_added) SELECT 'newsletter', id, ${now} FROM contacts;
`,
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export default async function ({ page, expect, shot, rpc, base }) {
  try {
    const created = await rpc("Emails.Save", {
      name: "Spring A/B",
      kind: "list",
      subject: "Hello {contactfield=firstname}",
      html: "<html><body><p>Version A</p><p>{unsubscribe_text}</p></body></html>",
      segments: ["newsletter"],
      published: true,
      plainTextAuto: true,
    });
    await page.goto(`${base}/#/emails/${created.id}`);
    await page.getByRole("tab", { name: "Settings" }).click();

    // Category, A/B criteria and sample, an attachment uploaded as a new asset.
    await page.getByRole("combobox", { name: "Category" }).fill("Offers");
    await page.keyboard.press("Escape");
    await page.getByRole("combobox", { name: "Winner chosen by" }).click();
    await page.getByRole("option", { name: "Open rate" }).click();
    await page.getByLabel("Test sample (%)").fill("40");
    const pdf = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(2048, 7)]);
    await page
      .getByTestId("email-attachments")
      .locator('input[type="file"]')
      .setInputFiles({ name: "guide.pdf", mimeType: "application/pdf", buffer: pdf });
    await page.getByTestId("email-attachments").getByText("guide.pdf").waitFor();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText(/Email saved \(revision 2\)/).waitFor();
    await page.getByTestId("email-variants").scrollIntoViewIfNeeded();
    await shot("email-ab-settings");

    // Variant B, created from the parent and edited.
    await page.getByRole("button", { name: "Add an A/B variant" }).click();
    await page.waitForFunction((id) => /#\/emails\/[0-9a-f-]{36}$/.test(location.hash) && !location.hash.endsWith(id), created.id);
    const variantId = (await page.evaluate(() => location.hash)).split("/").pop();
    const html = page.getByTestId("html-editor");
    await html.waitFor();
    await html.fill("<html><body><p>Version B</p><p>{unsubscribe_text}</p></body></html>");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText(/Email saved/).first().waitFor();
    const fam = await rpc("Emails.Family", created.id);
    expect.equal(fam.length, 2, "parent + variant");
    expect.equal(fam[1].variantParentId, created.id, "the variant's parent");

    // Send the parent: 40 % now, the winner (chosen at once: 0 hours) to the rest.
    await page.goto(`${base}/#/emails/${created.id}`);
    await page.getByRole("tab", { name: "Send" }).click();
    await page.getByTestId("send-now").click();
    await page.mouse.move(700, 700); // notifications pause while hovered: let them close
    let st;
    for (let i = 0; i < 120; i++) {
      st = await rpc("Emails.Stats", created.id);
      if (st.ab?.decidedAt && st.totals.sent === N) break;
      await sleep(500);
    }
    expect.ok(st.ab?.decidedAt, "the A/B winner was decided by the background sender");
    expect.equal(st.totals.sent, N, "every recipient got a message");
    expect.equal(st.ab.held, 0, "no recipient waits any more");
    const winner = st.variants.find((v) => v.winner);
    expect.ok(winner, "a variant is marked as the winner");
    const winnerBody = winner.id === variantId ? "Version B" : "Version A";
    await page.getByText("Queued 30 recipients", { exact: false }).waitFor({ state: "detached" });
    await page.getByRole("tab", { name: "Statistics" }).click();
    await page.getByTestId("email-ab").getByText("Winner", { exact: true }).waitFor();
    await page.getByTestId("email-ab-state").getByText(/Winner chosen by open rate/).waitFor();
    await page.getByTestId("email-ab").scrollIntoViewIfNeeded();
    await shot("email-ab-stats");

    for (let i = 0; i < 100 && received.length < N; i++) await sleep(100);
    expect.equal(received.length, N, "messages at the SMTP sink");
    const withPdf = received.filter((m) => /Content-Disposition: attachment;\s*filename="?guide\.pdf/i.test(m));
    expect.equal(withPdf.length, N, "every message carries guide.pdf as a MIME attachment");
    const held = received.slice(Math.ceil(N * 0.4) + 2);
    expect.ok(held.every((m) => m.includes(winnerBody)), "the held recipients got the winner");

    // The contact page: category opt-out and a frequency rule.
    const contact = "01900000-0000-7000-8000-000000000001";
    await page.goto(`${base}/#/contacts/${contact}`);
    await page.getByRole("tab", { name: "Do not contact" }).click();
    const prefs = page.getByTestId("contact-email-prefs");
    await prefs.getByLabel("Offers").uncheck();
    await prefs.getByLabel("At most").fill("2");
    await prefs.getByRole("combobox", { name: "Per" }).click();
    await page.getByRole("option", { name: "week" }).click();
    await prefs.getByLabel("Pause from").fill("2026-12-20");
    await prefs.getByLabel("Pause until").fill("2026-12-31");
    await prefs.getByRole("button", { name: "Save the frequency" }).click();
    await page.getByText("Email preferences saved").waitFor();
    await shot("contact-email-prefs");
    const cp = await rpc("Emails.ContactPrefs", contact);
    expect.equal(cp.categories[0].subscribed, false, "unsubscribed from Offers");
    expect.equal(cp.frequency.number, 2, "frequency number");
    expect.equal(cp.frequency.time, "WEEK", "frequency period");
    expect.equal(cp.frequency.pauseTo, "2026-12-31", "pause end (inclusive)");

    // A field error in French names the field.
    await page.getByRole("button", { name: /^Language/ }).click();
    await page.goto(`${base}/#/emails/${created.id}`);
    await page.getByRole("tab", { name: "Réglages" }).click();
    await page.getByLabel("Adresse de l'expéditeur").fill("pas une adresse");
    await page.getByRole("button", { name: "Enregistrer", exact: true }).click();
    await page.getByText("Veuillez vérifier : L'adresse de l'expéditeur n'est pas une adresse e-mail").waitFor();
    // …and under the field itself.
    await page.getByText("L'adresse de l'expéditeur n'est pas une adresse e-mail", { exact: true }).waitFor();
    await shot("email-error-fr");
  } finally {
    sink.close();
  }
}
