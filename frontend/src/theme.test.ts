import { DEFAULT_THEME, darken, getPrimaryShade, isLightColor, mergeMantineTheme } from "@mantine/core";
import { describe, expect, it } from "vitest";
import { contrast, cssVariablesResolver, readableOn, theme } from "./theme";

const th = mergeMantineTheme(DEFAULT_THEME, theme);
const vars = cssVariablesResolver(th);
const names = Object.keys(th.colors);

describe("theme colours read at WCAG AA (4.5:1)", () => {
  it.each(names)("filled %s: the text auto-contrast picks", (name) => {
    const bg = th.colors[name]?.[getPrimaryShade(th, "light")] ?? "";
    const fg = isLightColor(bg, th.luminanceThreshold) ? th.black : th.white;
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(names)("light variant %s: its text on its background and hover", (name) => {
    const s = th.colors[name] ?? [];
    const fg = vars.light[`--mantine-color-${name}-light-color`] ?? "";
    expect(contrast(fg, s[1] ?? "")).toBeGreaterThanOrEqual(4.5);
    expect(contrast(fg, s[2] ?? "")).toBeGreaterThanOrEqual(4.5);
  });

  it.each(names)("coloured text %s on white and grey rows", (name) => {
    const fg = vars.light[`--mantine-color-${name}-text`] ?? "";
    for (const bg of [th.white, th.colors.gray[0], th.colors.gray[1]])
      expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });

  it("links in the light theme, on the page and on a selected row", () => {
    const fg = vars.light["--mantine-color-anchor"] ?? "";
    for (const bg of [th.white, th.colors.gray[0], th.colors.indigo[1]])
      expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });

  it("links in the dark theme, on the page and on hovered rows", () => {
    const fg = vars.dark["--mantine-color-anchor"] ?? "";
    for (const bg of th.colors.dark.slice(5, 8)) expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });

  it("shifts a colour only as far as it must", () => {
    expect(readableOn("#000000", ["#ffffff"], darken)).toBe("rgba(0, 0, 0, 1)");
    const grey = readableOn("#999999", ["#ffffff"], darken); // 2.8:1 as it is
    expect(contrast(grey, "#ffffff")).toBeGreaterThanOrEqual(4.5);
    expect(contrast(grey, "#ffffff")).toBeLessThan(5.2);
  });
});
