// Mantine's theme, chosen for WCAG 2.1 AA (4.5:1 for text): the primary colour two shades
// darker than Mantine's default (white on indigo 6 is 4.3:1), filled colours with their text
// picked by contrast (white on red 8, dark on green 8), and the colours Mantine derives for
// text — light variants, coloured text, dark-theme links — darkened or lightened until they
// read at 4.5:1 on the backgrounds they sit on (cssVariablesResolver). LocalizedTheme names
// the icon-only buttons Mantine draws itself (a modal's or a toast's close cross, a colour
// input's eye dropper, a password's show toggle) in the user's language.
import {
  ColorInput,
  type CSSVariablesResolver,
  createTheme,
  Drawer,
  darken,
  getPrimaryShade,
  lighten,
  luminance,
  MantineThemeProvider,
  Menu,
  Modal,
  Notification,
  PasswordInput,
} from "@mantine/core";
import { type ReactNode, useMemo } from "react";
import { useI18n } from "./i18n";

export const theme = createTheme({
  primaryColor: "indigo",
  primaryShade: { light: 8, dark: 8 },
  autoContrast: true,
  // White and black text read equally well on a colour of luminance 0.179; above it, black
  // reads better (Mantine's default, 0.3, keeps white text on green 8 at 3.4:1).
  luminanceThreshold: 0.179,
  defaultRadius: "sm",
  components: {
    // Mantine's focus placeholder is a presentational child with a tabindex inside role="menu",
    // which ARIA forbids; without it, opening a menu focuses its first item.
    Menu: Menu.extend({ defaultProps: { withInitialFocusPlaceholder: false } }),
  },
});

/** contrast is the WCAG contrast ratio of two colours. */
export function contrast(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** readableOn returns colour, shifted by step (darken or lighten) in small amounts until it
 *  reads at 4.5:1 on every background. */
export function readableOn(
  colour: string,
  backgrounds: string[],
  step: (c: string, by: number) => string,
): string {
  for (let by = 0; by < 1; by += 0.04) {
    const c = step(colour, by);
    if (backgrounds.every((b) => contrast(c, b) >= 4.5)) return c;
  }
  return step(colour, 1);
}

export const cssVariablesResolver: CSSVariablesResolver = (th) => {
  const light: Record<string, string> = {};
  const white = th.white;
  const shade = getPrimaryShade(th, "light"); // Mantine's coloured text is the filled shade
  for (const [name, s] of Object.entries(th.colors)) {
    // Light variants: shade 9 text on shade 1 (shade 2 on hover).
    light[`--mantine-color-${name}-light-color`] = readableOn(s[9], [s[1], s[2]], darken);
    // Coloured text (c="red"), on the page and on striped or hovered rows.
    light[`--mantine-color-${name}-text`] = readableOn(
      s[shade],
      [white, th.colors.gray[0], th.colors.gray[1]],
      darken,
    );
  }
  const p = th.colors[th.primaryColor] ?? th.colors.indigo;
  const d = th.colors.dark;
  // Links, on the page and on a selected row (the primary light background).
  light["--mantine-color-anchor"] = readableOn(p[shade], [white, th.colors.gray[0], p[1]], darken);
  // Links in the dark theme, on the page and on striped or hovered rows.
  const dark = { "--mantine-color-anchor": readableOn(p[4], [d[7], d[6], d[5]], lighten) };
  return { variables: {}, light, dark };
};

export function LocalizedTheme({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const close = t("common.close");
  const pick = t("common.pickColour");
  const showPassword = t("common.showPassword");
  const localized = useMemo(
    () =>
      createTheme({
        components: {
          Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": close } } }),
          Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { "aria-label": close } } }),
          Notification: Notification.extend({ defaultProps: { closeButtonProps: { "aria-label": close } } }),
          ColorInput: ColorInput.extend({ defaultProps: { eyeDropperButtonProps: { "aria-label": pick } } }),
          PasswordInput: PasswordInput.extend({
            defaultProps: { visibilityToggleButtonProps: { "aria-label": showPassword } },
          }),
        },
      }),
    [close, pick, showPassword],
  );
  return <MantineThemeProvider theme={localized}>{children}</MantineThemeProvider>;
}
