// Campaign builder (issue 7): build a campaign on the canvas — a segment source, "send email"
// added with the "+" under the source, an "opens email" decision with a yes child (added with
// "+ yes") and a no child (dragged from the palette onto the decision) — configure it in the
// side panel, see problems on the nodes and a refused publish, undo a delete, lay out with
// the keyboard, publish, reload and see it all again.
const blankEmail = (name) => ({
  id: "", name, kind: "template", subject: "Hello", preheader: "", fromName: "", fromAddress: "",
  replyTo: "", bcc: "", utmTags: {}, headers: {}, html: "<p>Hi {contactfield=firstname}</p>", source: "",
  plainText: "", plainTextAuto: true, category: "", language: "", translationParentId: "", variantParentId: "",
  variantWeight: 0, winnerCriteria: "", winnerAfterHours: 0, segments: [], excludedSegments: [], attachments: [],
  publishUp: "", publishDown: "", published: true, scheduled: false, revision: 0, dateAdded: "", dateModified: "",
  deleted: false, sent: 0, read: 0, pending: 0,
});

export default async function ({ page, rpc, expect, shot }) {
  const people = [];
  for (let i = 0; i < 6; i++) {
    const c = await rpc("Contacts.Create", { values: { firstname: `Camp${i}`, email: `camp${i}@example.org` }, tags: [] });
    people.push(c.id);
  }
  const seg = await rpc("Segments.Save", { id: "", name: "Newsletter readers", alias: "", description: "", filters: "", published: true });
  await rpc("Segments.AddMembers", seg.id, people);
  await rpc("Emails.Save", blankEmail("Welcome mail"));

  await page.getByRole("navigation").getByRole("link", { name: "Campaigns" }).click();
  await page.getByText("No campaigns yet").waitFor();
  await page.getByRole("button", { name: "New campaign" }).first().click();
  await page.getByLabel("Name").fill("Welcome journey");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByTestId("campaign-builder").waitFor();
  const canvas = page.locator(".camp-canvas");
  const node = (type) => canvas.locator(`[data-testid=campaign-node][data-type="${type}"]`);

  // Source: contact segments, chosen in the side panel.
  await page.getByRole("button", { name: "Add a source" }).click();
  await page.getByRole("menuitem", { name: "Contact segments" }).click();
  await page.getByTestId("source-panel").waitFor();
  await page.getByTestId("campaign-source").getByText("Choose at least one segment").waitFor(); // problem on the node
  await page.getByTestId("source-panel").getByLabel("Segments").click();
  await page.getByRole("option", { name: "Newsletter readers" }).click();
  await page.getByTestId("campaign-source").getByText("Newsletter readers").waitFor();

  // "+" under the source → Action → Send email.
  await page.getByRole("button", { name: "Add a first event" }).click();
  await page.getByRole("dialog").getByRole("button", { name: /^Action/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Send email", exact: true }).click();
  await node("email.send").waitFor();
  await node("email.send").getByText("Email is required").waitFor(); // server-side check shown on the node

  // Publishing now is refused with the list of problems.
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await page.getByTestId("publish-refused").getByText("Email is required").waitFor();
  await shot("campaign-builder-problems");

  // Configure the email in the panel (the node is selected after adding).
  await page.getByTestId("event-panel").getByLabel(/^Email\s*\*?$/).click();
  await page.getByRole("option", { name: "Welcome mail" }).click();
  await page.getByTestId("event-panel").getByLabel("Name").fill("Welcome email");
  await expect.ok(await node("email.send").getByText("Welcome email").isVisible(), "renamed node");
  await page.waitForFunction(() => !document.querySelector('[data-type="email.send"] [data-testid=node-problem]'));

  // "+" under the email → Decision → Opens email.
  await page.getByRole("button", { name: "Add an event after Welcome email" }).click();
  await page.getByRole("dialog").getByRole("button", { name: /^Decision/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Opens email" }).click();
  await node("email.open").getByText("A decision needs at least one path").waitFor();

  // Yes path: "+ yes" → Action → Modify contact's tags (add "engaged").
  await page.getByRole("button", { name: "Add an event on the yes path of Opens email" }).click();
  await page.getByRole("dialog").getByRole("button", { name: /^Action/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Modify contact's tags" }).click();
  const addTags = page.getByTestId("event-panel").getByLabel("Add", { exact: true });
  await addTags.fill("engaged");
  await addTags.press("Enter");

  // No path: drag "Adjust contact points" from the palette onto the decision.
  await page.getByTestId("palette-points.adjust").dragTo(node("email.open"));
  await node("points.adjust").waitFor();
  await page.getByTestId("event-panel").getByLabel(/^Points/).fill("-5");
  // … with a wait of 3 days before it runs.
  // Immediately on the no path: everyone who has not opened takes it at once — said in the panel.
  await page.getByTestId("no-path-hint").waitFor();
  await page.getByTestId("trigger-editor").getByText("After a wait").click();
  await page.getByTestId("trigger-editor").getByLabel("Wait", { exact: true }).fill("3");
  await node("points.adjust").getByText("After a wait: 3 days").waitFor();
  await page.getByTestId("no-path-hint").waitFor({ state: "detached" });
  const edges = await canvas.locator(".react-flow__edge").count();
  expect.equal(edges, 4, "edges: source→email, email→decision, yes, no");

  // Keyboard: Delete removes the selected node, Ctrl+Z brings it back, L lays out.
  // Copy the yes branch (Ctrl+C) and paste it under the no child (Ctrl+V): new ids, one more
  // node; Ctrl+Z takes it away again.
  await canvas.locator('.react-flow__node:has([data-type="contact.tags"])').focus();
  await page.keyboard.press("Control+c");
  await canvas.locator('.react-flow__node:has([data-type="points.adjust"])').focus();
  await page.keyboard.press("Control+v");
  await page.waitForFunction(() => document.querySelectorAll('[data-type="contact.tags"]').length === 2);
  await page.keyboard.press("Control+z");
  await page.waitForFunction(() => document.querySelectorAll('[data-type="contact.tags"]').length === 1);
  await canvas.locator('.react-flow__node:has([data-type="points.adjust"])').focus();
  await page.keyboard.press("Delete");
  await page.waitForFunction(() => !document.querySelector('[data-type="points.adjust"]'));
  await page.keyboard.press("Control+z");
  await node("points.adjust").waitFor();
  // Clicking the red "no" edge and pressing Delete disconnects the points node: the problem
  // shows on it; Ctrl+Z reconnects it.
  await canvas.locator(".react-flow__edge", { has: page.locator(".react-flow__edge-text", { hasText: "no" }) })
    .locator(".react-flow__edge-interaction").dispatchEvent("click");
  await page.keyboard.press("Delete");
  await node("points.adjust").getByText(/Not connected/).waitFor();
  await page.keyboard.press("Control+z");
  await page.waitForFunction(() => !document.querySelector('[data-type="points.adjust"] [data-testid=node-problem]'));
  await canvas.locator('.react-flow__node:has([data-type="points.adjust"])').focus();
  await page.keyboard.press("Delete");
  await page.waitForFunction(() => !document.querySelector('[data-type="points.adjust"]'));
  await page.keyboard.press("Control+z");
  await node("points.adjust").waitFor();
  // "A" on a focused node opens the add dialog for what comes after it (keyboard only).
  await canvas.locator('.react-flow__node:has([data-type="contact.tags"])').focus();
  await page.keyboard.press("a");
  await page.getByRole("dialog", { name: "Add an event after Modify contact's tags" }).waitFor();
  await page.keyboard.press("Escape");
  await canvas.locator('.react-flow__node:has([data-type="points.adjust"])').focus();
  // Arrows walk the tree: up to the decision, up again to the email.
  await page.keyboard.press("ArrowUp");
  await page.getByTestId("event-panel").getByText("Decision · Opens email").waitFor();
  await page.keyboard.press("ArrowUp");
  await page.getByTestId("event-panel").getByText("Action · Send email").waitFor();
  await page.keyboard.press("l");
  await page.keyboard.press("Escape");
  await page.getByText("No problems: ready to publish").waitFor();
  await page.getByTestId("save-state").getByText("Draft saved").waitFor();
  await shot("campaign-builder");

  // The yes edge is green, the no edge red.
  const yes = await canvas.locator(".react-flow__edge-text", { hasText: "yes" }).count();
  const no = await canvas.locator(".react-flow__edge-text", { hasText: "no" }).count();
  expect.equal(yes + no, 2, "yes/no labels on the decision's edges");

  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await page.getByText("Campaign published (version 1)").waitFor();

  // Reload: everything is still there, published, with live counts on the nodes.
  await page.reload();
  await page.getByTestId("campaign-builder").waitFor();
  await node("points.adjust").waitFor();
  expect.equal(await canvas.locator("[data-testid=campaign-node]").count(), 4, "events after reload");
  await page.getByTestId("campaign-builder").getByText("Published", { exact: true }).waitFor();
  // The six segment members enter and the engine runs the email step: counts appear live.
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-type="email.send"] [data-testid=node-counts]');
    return el && [...el.querySelectorAll("[aria-hidden]")].reduce((n, s) => n + Number(s.textContent), 0) >= 6;
  }, null, { timeout: 30_000 });
  await node("email.send").getByText("Welcome email").waitFor();
  await shot("campaign-builder-published");
  // Counts are pushed, not polled: a seventh member joins the segment, enters the campaign,
  // gets the email, and the node's counts grow without a reload.
  const late = await rpc("Contacts.Create", { values: { firstname: "Camp6", email: "camp6@example.org" }, tags: [] });
  await rpc("Segments.AddMembers", seg.id, [late.id]);
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-type="email.send"] [data-testid=node-counts]');
    return el && [...el.querySelectorAll("[aria-hidden]")].reduce((n, s) => n + Number(s.textContent), 0) >= 7;
  }, null, { timeout: 30_000 });

  // Simulate over the next 30 days: per-node counts on the canvas.
  await page.getByRole("button", { name: "Simulate" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Run" }).click();
  await page.getByTestId("sim-result").getByText(/contacts entered/).waitFor();
  await page.keyboard.press("Escape");
  await node("email.send").getByTestId("node-sim").waitFor();

  // Edit the published campaign and publish the change as version 2.
  await node("email.send").click();
  await page.getByTestId("event-panel").getByLabel("Name").fill("Welcome email v2");
  await node("email.send").getByText("Welcome email v2").waitFor();
  await page.getByRole("button", { name: "Publish changes" }).click();
  await page.getByText("Campaign published (version 2)").waitFor();

  // Versions: view version 1 read-only on the canvas, then back to the draft.
  await page.getByRole("button", { name: "Versions" }).click();
  await page.getByTestId("campaign-versions").getByText("Version 2").waitFor();
  await page.getByRole("button", { name: "View Version 1" }).click();
  await page.getByText("Viewing version 1 (read-only)").waitFor();
  await node("email.send").getByText("Welcome email", { exact: true }).waitFor();
  expect.equal(await canvas.locator(".camp-add").count(), 0, "no + buttons on a read-only version");
  await shot("campaign-builder-version");
  await page.getByRole("button", { name: "Back to the draft" }).click();
  await node("email.send").getByText("Welcome email v2").waitFor();

  // The list shows it published.
  await page.getByRole("link", { name: "All campaigns" }).click();
  const row = page.getByTestId("campaign-list").getByRole("row", { name: /Welcome journey/ });
  await row.getByText("Published").waitFor();
  await shot("campaign-list");

  // Export → import makes a second, unpublished copy; the copy goes to the trash and back.
  const campaignId = (await rpc("Campaigns.List", { search: "Welcome", limit: 10, offset: 0, trash: false }))[0].id;
  const exported = await rpc("Campaigns.Export", campaignId);
  await page.getByRole("button", { name: "Import JSON" }).click();
  await page.getByRole("dialog").getByLabel("Campaign JSON").fill(exported);
  await page.getByRole("dialog").getByRole("button", { name: "Import JSON" }).click();
  await page.getByText("Campaign imported").waitFor();
  await node("points.adjust").waitFor();
  await page.getByRole("link", { name: "All campaigns" }).click();
  await page.getByTestId("campaign-list").getByRole("row").nth(2).waitFor(); // header + 2 campaigns
  const copy = page.getByTestId("campaign-list").getByRole("row").filter({ hasText: "Draft" });
  const copyName = (await copy.getByRole("link").textContent()).trim();
  await copy.getByRole("button", { name: `Move ${copyName} to the trash` }).click();
  await page.getByText("Campaign moved to the trash").waitFor();
  await page.getByLabel("Show the trash").check();
  await page.getByTestId("campaign-list").getByText(copyName).waitFor();
  await page.getByRole("button", { name: "Restore" }).click();
  await page.getByText("Campaign restored").waitFor();
  await page.getByLabel("Show the trash").uncheck();
  await page.getByTestId("campaign-list").getByRole("row").filter({ hasText: "Draft" }).waitFor();
  expect.equal(await page.getByTestId("campaign-list").getByRole("row").count(), 3, "both campaigns listed again");

  // French labels.
  await page.getByRole("button", { name: /^Language/ }).click();
  await page.getByRole("heading", { name: "Campagnes" }).waitFor();
  await page.getByTestId("campaign-list").getByText("Publiée").first().waitFor();
  await page.getByTestId("campaign-list").getByRole("row").filter({ hasText: "Publiée" }).getByRole("link").click();
  await node("email.send").getByText("Action · Envoyer un e-mail").waitFor();
  await node("email.send").getByText("Welcome email v2").waitFor(); // the latest draft, not a cached one
  await page.getByText("Aucun problème : prête à publier").waitFor();
  await shot("campaign-builder-fr");
  await page.getByRole("button", { name: /^Langue/ }).click();
}
