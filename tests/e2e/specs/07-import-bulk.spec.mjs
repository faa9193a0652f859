// A big file into an empty store: the import runs in one transaction in the store and
// announces one bulk write. Everything that derives from contacts must follow without a
// change list: the grid's total, and a live segment that existed before the import.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export default async function ({ page, rpc, expect, tmp, openImport }) {
  const filters = JSON.stringify([
    { glue: "and", object: "lead", field: "city", operator: "=", properties: { filter: "Nîmes" } },
  ]);
  const seg = await rpc("Segments.Save", { name: "Nîmes", filters, published: true });
  expect.equal(seg.members, 0, "the segment starts empty");

  const n = 60000; // > 4 MiB: a big import
  const rows = ["email;prénom;nom;ville;poste"];
  for (let i = 0; i < n; i++) {
    rows.push(`b${i}@bulk.example;Zoé;Lefèvre${i};${i % 3 === 0 ? "Nîmes" : "Besançon"};Responsable des achats régionaux ${i}`);
  }
  const csv = join(tmp, "bulk.csv");
  writeFileSync(csv, `${rows.join("\n")}\n`);
  await openImport(csv);
  await page.getByRole("button", { name: "Start the import" }).click();
  await page.getByTestId("import-result").waitFor({ timeout: 120_000 });
  expect.match(await page.getByTestId("import-result").textContent(), /60,000 created/, "every row created");

  await page.getByRole("button", { name: "Browse contacts" }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="contact-total"]')?.textContent === "60,000");
  const want = Math.ceil(n / 3);
  let members = -1;
  for (let i = 0; i < 100 && members !== want; i++) {
    members = (await rpc("Segments.Get", seg.id)).members;
    if (members !== want) await page.waitForTimeout(200);
  }
  expect.equal(members, want, "the live segment rebuilt after the bulk import");
}
