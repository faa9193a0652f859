// The ONLY module that imports frontend/wailsjs. Screens import from here: typed calls that
// reject with ApiError, events, uploads and downloads, in the window and in the browser alike.
import * as CompaniesB from "../../wailsjs/go/app/Companies";
import * as ContactsB from "../../wailsjs/go/app/Contacts";
import * as ExportsB from "../../wailsjs/go/app/Exports";
import * as FieldsB from "../../wailsjs/go/app/Fields";
import * as ImportsB from "../../wailsjs/go/app/Imports";
import * as JobsB from "../../wailsjs/go/app/Jobs";
import * as SegmentsB from "../../wailsjs/go/app/Segments";
import * as SyncB from "../../wailsjs/go/app/Sync";
import * as SystemB from "../../wailsjs/go/app/System";
import * as UsersB from "../../wailsjs/go/app/Users";
import type { app, contacts, exports, fields, imports, jobs, users } from "../../wailsjs/go/models";
import { EventsOnMultiple } from "../../wailsjs/runtime/runtime";
import { isDesktop, rpc } from "./bridge";
import { ApiError, toApiError, wrap } from "./errors";

export { installBrowserBridge, isDesktop } from "./bridge";
export { ApiError, toApiError } from "./errors";

export type ContactRow = app.ContactRow;
export type ContactView = app.ContactView;
export type ContactPage = app.ContactPage;
export type ContactQuery = app.ContactQuery;
export type ContactInput = app.ContactInput;
export type Selection = app.Selection;
export type CompanyView = app.CompanyView;
export type CompanyPage = app.CompanyPage;
export type CompanyQuery = app.CompanyQuery;
export type SystemInfo = app.SystemInfo;
export type Preferences = app.Preferences;
export type TimelinePage = app.TimelinePage;
export type EventView = app.EventView;
export type NoteView = app.NoteView;
export type Field = fields.Field;
export type FieldInput = fields.Input;
export type TagCount = contacts.TagCount;
export type JobStatus = jobs.Status;
export type SyncSettings = app.SyncSettings;
export type SyncOverview = app.SyncOverview;
export type ImportAnalysis = imports.Analysis;
export type ImportOptions = imports.Options;
export type ImportRecord = imports.Record;
export type ImportTarget = imports.Target;
export type Rejection = imports.Rejection;
export type ExportRequest = app.ExportRequest;
export type ExportResult = exports.Result;
export type SegmentView = app.SegmentView;
export type FindHit = app.FindHit;
export type SegmentInput = app.SegmentInput;
export type SegmentCatalogue = app.SegmentCatalogue;
export type SegmentField = app.SegmentField;
export type SegmentMember = app.SegmentMember;
export type SegmentPreview = app.SegmentPreview;
export type SegmentVersion = app.SegmentVersion;
export type User = users.User;

export const System = wrap({ ...SystemB });
export const Contacts = wrap({ ...ContactsB });
export const Companies = wrap({ ...CompaniesB });
export const Fields = wrap({ ...FieldsB });
export const Jobs = wrap({ ...JobsB });
export const Sync = wrap({ ...SyncB });
export const Imports = wrap({ ...ImportsB });
export const Exports = wrap({ ...ExportsB });
export const Segments = wrap({ ...SegmentsB });
export const Users = wrap({ ...UsersB });

/** on subscribes to a bus topic (job:progress, contacts:changed, …); returns the unsubscribe. */
export function on(topic: string, cb: (data: unknown) => void): () => void {
  return EventsOnMultiple(topic, cb as (...d: unknown[]) => void, -1);
}

/** upload sends a browser-picked file to the bridge and returns its path on the server. */
export async function upload(file: File): Promise<{ path: string; name: string }> {
  const fd = new FormData();
  fd.append("file", file);
  const res = await fetch("/upload", { method: "POST", body: fd, credentials: "same-origin" });
  const body = (await res.json().catch(() => null)) as {
    result?: { path: string; name: string };
    error?: ConstructorParameters<typeof ApiError>[0];
  } | null;
  if (body?.error) throw new ApiError(body.error);
  if (!res.ok || !body?.result) throw toApiError(`upload failed: HTTP ${res.status}`);
  return body.result;
}

/** downloadURL is the link that saves a file the app wrote into its data dir (browser mode). */
export function downloadURL(path: string): string {
  return `/download?path=${encodeURIComponent(path)}`;
}

/** call reaches a bound method by name, for methods that may not exist yet on this build. */
export async function call<T>(name: string, ...args: unknown[]): Promise<T> {
  if (!isDesktop()) return (await rpc(`app.${name}`, args)) as T;
  const [typ, method] = name.split(".");
  const w = window as unknown as {
    go: { app: Record<string, Record<string, (...a: unknown[]) => Promise<T>>> };
  };
  const fn = w.go.app[typ ?? ""]?.[method ?? ""];
  if (!fn)
    throw new ApiError({ code: "not_found", key: "errors.noMethod", message: `no such method ${name}` });
  try {
    return await fn(...args);
  } catch (e) {
    throw toApiError(e);
  }
}
