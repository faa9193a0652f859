// Forms and assets (issue 9): typed calls to app.Forms / app.Assets that reject with ApiError.
import * as AssetsB from "../../wailsjs/go/app/Assets";
import * as EmailsB from "../../wailsjs/go/app/Emails";
import * as FormsB from "../../wailsjs/go/app/Forms";
import type { app, assets, forms } from "../../wailsjs/go/models";
import { wrap } from "./errors";

export type Form = forms.Form;
export type FormField = forms.Field;
export type FormAction = forms.Action;
export type FormResults = forms.Results;
export type FormEmbed = app.Embed;
export type Asset = assets.Asset;
export type AssetInput = assets.Input;

export const Forms = wrap({ ...FormsB });
export const Assets = wrap({ ...AssetsB });
/** The emails a form action can send (names for the pickers). */
export const FormEmails = wrap({ List: EmailsB.List });

/** Field types in builder order (the backend's forms.Types). */
export const FIELD_TYPES = [
  "text",
  "textarea",
  "email",
  "tel",
  "url",
  "number",
  "date",
  "select",
  "radiogrp",
  "checkboxgrp",
  "country",
  "hidden",
  "freetext",
  "freehtml",
  "pagebreak",
  "file",
  "captcha",
] as const;

/** Action types in builder order (the backend's forms.ActionTypes). */
export const ACTION_TYPES = [
  "tags",
  "segments",
  "points",
  "email.contact",
  "email.user",
  "asset",
  "redirect",
  "message",
  "campaign",
  "webhook",
  "dnc",
  "stage",
] as const;

export function blankForm(): Form {
  return {
    id: "",
    name: "",
    description: "",
    kind: "standalone",
    kiosk: false,
    submitLabel: "Submit",
    postAction: "message",
    postValue: "",
    minSeconds: 2,
    fields: [
      { alias: "email", label: "Email", type: "email", mapTo: "contact.email", required: true },
      { alias: "website_hp", label: "Leave this empty", type: "captcha" },
    ],
    actions: [],
    published: true,
    dateAdded: 0,
    dateModified: 0,
    deleted: false,
    results: 0,
  };
}

/** aliasFrom makes a field alias from a label (a-z, 0-9, _; starts with a letter). */
export function aliasFrom(label: string, taken: string[]): string {
  let base = label
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 50);
  if (!/^[a-z]/.test(base)) base = `f_${base}`.replace(/_+$/, "");
  let a = base;
  for (let i = 2; taken.includes(a); i++) a = `${base}_${i}`;
  return a;
}

/** moveItem returns list with the item at from moved to to. */
export function moveItem<T>(list: T[], from: number, to: number): T[] {
  if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return list;
  const out = list.slice();
  const [x] = out.splice(from, 1);
  if (x !== undefined) out.splice(to, 0, x);
  return out;
}
