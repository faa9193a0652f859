// Campaign action "Push dynamic content" (issue 9): the builder offers it, its panel asks for
// the slot name and the item (picked from the dynamic content list); once both are set the
// node's only problem left is that nothing leads to it yet.
export default async function ({ page, rpc, shot }) {
  await rpc("DWC.Save", { id: "", name: "Spring offer", slot: "spring-offer", defaultContent: "<p>Spring offer!</p>",
    published: true, variants: [], dateModified: "", deleted: false });

  await page.getByRole("navigation").getByRole("link", { name: "Campaigns" }).click();
  await page.getByRole("button", { name: "New campaign" }).first().click();
  await page.getByLabel("Name").fill("Spring push");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByTestId("campaign-builder").waitFor();
  const node = page.locator('.camp-canvas [data-testid=campaign-node][data-type="dwc.push"]');

  await page.getByTestId("palette-dwc.push").dragTo(page.locator(".camp-canvas"));
  await node.waitFor();
  await node.click();
  const panel = page.getByTestId("event-panel");
  await panel.getByLabel(/^Slot name on the site/).fill("hero");
  await panel.getByLabel(/^Dynamic content to show there/).click();
  await page.getByRole("option", { name: "Spring offer" }).click();
  await page.waitForFunction(() => !/required/i.test(document.querySelector('[data-type="dwc.push"]')?.textContent ?? "required"));
  await shot("campaign-dwc-push");
}
