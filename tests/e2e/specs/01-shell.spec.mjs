// The app shell starts, calls the backend, shows the settings, switches language and theme,
// and the command palette navigates.
export default async function ({ page, expect, shot, dataDir }) {
  await page.getByRole("heading", { name: "Welcome to Magpie" }).waitFor();
  await page.getByTestId("welcome-empty").waitFor();
  await shot("welcome-empty");

  await page.getByRole("navigation").getByRole("link", { name: "Settings" }).click();
  await page.getByTestId("system-info").waitFor();
  const dir = await page.getByTestId("data-dir").textContent();
  expect.equal(dir, dataDir, "data dir shown in settings");
  await shot("settings");

  // Language: French, persisted in the backend (survives a reload).
  await page.locator("label", { hasText: "Français" }).click();
  await page.getByRole("heading", { name: "Paramètres" }).waitFor();
  await page.getByText("Paramètres enregistrés").first().waitFor(); // the toast in the language just chosen
  await page.reload();
  await page.getByRole("heading", { name: "Paramètres" }).waitFor();

  // Theme: dark.
  await page.locator("label", { hasText: "Sombre" }).click();
  await page.waitForFunction(() => document.documentElement.getAttribute("data-mantine-color-scheme") === "dark");
  await shot("settings-dark-fr");

  // Command palette: Ctrl+K, type, Enter navigates.
  await page.keyboard.press("Control+K");
  await page.getByPlaceholder("Aller à… ou lancer une action").fill("Accueil");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Bienvenue dans Magpie" }).waitFor();
}
