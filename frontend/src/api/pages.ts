// Landing pages, dynamic web content and focus items (issue 9): typed calls that reject with ApiError.
import * as DWCB from "../../wailsjs/go/app/DWC";
import * as FocusB from "../../wailsjs/go/app/Focus";
import * as PagesB from "../../wailsjs/go/app/Pages";
import type { app, focus, pages } from "../../wailsjs/go/models";
import { wrap } from "./errors";

export type PageView = app.PageView;
export type PageStat = pages.VariantStat;
export type PrefSegment = pages.PrefSegment;
export type DWCView = app.DWCView;
export type DWCVariant = app.DWCVariant;
export type FocusView = app.FocusView;
export type FocusPublic = focus.Public;

export const Pages = wrap({ ...PagesB });
export const DWC = wrap({ ...DWCB });
export const Focus = wrap({ ...FocusB });

/** Starter is the sample content a new page, focus item or dynamic content starts with, in the
 *  user's language (the screens pass their translations). */
export interface Starter {
  hello: string; // "Hello {contactfield=firstname|there}"
  pageText: string;
  translation: string; // the suffix of a translation's title
  headline: string;
  button: string;
  welcome: string;
}

export const englishStarter: Starter = {
  hello: "Hello {contactfield=firstname|there}",
  pageText: "Tell your visitors what this page offers.",
  translation: "translation",
  headline: "Get our newsletter",
  button: "Subscribe",
  welcome: "Welcome!",
};

export function starterPage(w: Starter): string {
  return `<section style="max-width:720px;margin:0 auto;padding:48px 24px;font-family:system-ui,sans-serif">
  <h1>${w.hello}</h1>
  <p>${w.pageText}</p>
</section>`;
}

/** blankPage is what "New landing page" starts from (a variant/translation names its parent). */
export function blankPage(
  parent?: {
    id: string;
    kind: "variant" | "translation";
    from?: PageView;
  },
  w: Starter = englishStarter,
): PageView {
  const from = parent?.from;
  return {
    id: "",
    title: from ? `${from.title} (${parent?.kind === "variant" ? "B" : w.translation})` : "",
    alias: "",
    customPath: "",
    mode: from?.mode ?? "builder",
    html: from?.html ?? starterPage(w),
    source: from?.source ?? "",
    seoTitle: from?.seoTitle ?? "",
    metaDescription: from?.metaDescription ?? "",
    socialImage: from?.socialImage ?? "",
    language: "",
    translationParentId: parent?.kind === "translation" ? parent.id : "",
    variantParentId: parent?.kind === "variant" ? parent.id : "",
    variantWeight: parent?.kind === "variant" ? 50 : 0,
    preferenceCenter: false,
    noIndex: false,
    published: true,
    dateAdded: "",
    dateModified: "",
    deleted: false,
    hits: 0,
    uniqueHits: 0,
    conversions: 0,
    abCriteria: "",
    abHours: 0,
    abWinnerId: "",
    abDecidedAt: "",
  };
}

export function blankDWC(w: Starter = englishStarter): DWCView {
  return {
    id: "",
    name: "",
    slot: "",
    defaultContent: `<p>${w.welcome}</p>`,
    published: true,
    variants: [],
    dateModified: "",
    deleted: false,
  };
}

export function blankFocus(w: Starter = englishStarter): FocusView {
  return {
    id: "",
    name: "",
    style: "bar",
    position: "top",
    contentType: "link",
    headline: w.headline,
    body: "",
    formId: "",
    linkUrl: "https://",
    linkText: w.button,
    colors: { background: "#1e3a8a", text: "#ffffff", button: "#fbbf24", buttonText: "#111827" },
    trigger: "delay",
    triggerValue: 5,
    frequency: "session",
    maxPerDay: 0,
    stopAfterClose: true,
    urlInclude: "",
    urlExclude: "",
    published: true,
    dateModified: "",
    deleted: false,
  };
}

/** The positions each focus style offers (backend/focus validates the same list). */
export const focusPositions: Record<string, string[]> = {
  bar: ["top", "bottom"],
  modal: ["top", "middle", "bottom"],
  notification: ["top-left", "top-right", "bottom-left", "bottom-right"],
  page: [""],
};
