// Campaign decision "Request dynamic content" (issue 9): the builder offers it next to the
// other page decisions; its panel asks for the slot name and an optional default item (picked
// from the dynamic content list); with the slot set, what is left is that it needs a path.
export default async function ({ page, rpc, shot }) {
  await rpc("DWC.Save", { id: "", name: "Welcome banner", slot: "welcome-banner", defaultContent: "<p>Welcome!</p>",
    published: true, variants: [], dateModified: "", deleted: false });

  await page.getByRole("navigation").getByRole("link", { name: "Campaigns" }).click();
  await page.getByRole("button", { name: "New campaign" }).first().click();
  await page.getByLabel("Name").fill("Hero requests");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByTestId("campaign-builder").waitFor();
  const palette = page.getByTestId("palette-dwc.request");
  await palette.waitFor();
  if (/coming soon/i.test(await palette.innerText())) throw new Error("the decision is still 'coming soon'");
  const node = page.locator('.camp-canvas [data-testid=campaign-node][data-type="dwc.request"]');
  await palette.dragTo(page.locator(".camp-canvas"));
  await node.waitFor();
  await node.click();
  const panel = page.getByTestId("event-panel");
  await panel.getByLabel(/^Slot name on the site/).fill("hero");
  await panel.getByLabel(/^Default content/).click();
  await page.getByRole("option", { name: "Welcome banner" }).click();
  await page.waitForFunction(() => !/required/i.test(document.querySelector('[data-type="dwc.request"]')?.textContent ?? "required"));
  await shot("campaign-dwc-request");
}
