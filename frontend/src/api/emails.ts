// Emails (issue 6): typed calls to app.Emails that reject with ApiError.
import * as EmailsB from "../../wailsjs/go/app/Emails";
import * as SegmentsB from "../../wailsjs/go/app/Segments";
import type { app, emails } from "../../wailsjs/go/models";
import { wrap } from "./errors";

export type EmailView = app.EmailView;
export type EmailSettings = app.EmailSettings;
export type EmailPreview = app.Preview;
export type SendResult = app.SendResult;
export type EmailStats = emails.Stats;
export type EmailCounts = emails.Counts;
export type EmailIssue = emails.Issue;
export type EmailDryRun = emails.DryRun;

export const Emails = wrap({ ...EmailsB });

/** The segments a segment email can target (names for the pickers). */
export const EmailSegments = wrap({ List: SegmentsB.List });

/** blankEmail is what "New email" starts from. */
export function blankEmail(kind: "template" | "list"): EmailView {
  return {
    id: "",
    name: "",
    kind,
    subject: "",
    preheader: "",
    fromName: "",
    fromAddress: "",
    replyTo: "",
    bcc: "",
    utmTags: {},
    headers: {},
    html: starterHTML(),
    source: "",
    plainText: "",
    plainTextAuto: true,
    category: "",
    language: "",
    translationParentId: "",
    variantParentId: "",
    variantWeight: 0,
    winnerCriteria: "",
    winnerAfterHours: 0,
    abSample: 0,
    segments: [],
    excludedSegments: [],
    attachments: [],
    publishUp: "",
    publishDown: "",
    published: true,
    scheduled: false,
    revision: 0,
    dateAdded: "",
    dateModified: "",
    deleted: false,
    sent: 0,
    read: 0,
    pending: 0,
  };
}

/** The words of a new email's sample content (in the UI language). */
export interface StarterWords {
  hello: string;
  text: string;
  button: string;
}

const EN_STARTER: StarterWords = {
  hello: "Hello {contactfield=firstname|there},",
  text: "Write your message here.",
  button: "Read more",
};

/** starterHTML is a new email's sample content. */
export function starterHTML(w: StarterWords = EN_STARTER): string {
  return `<!doctype html>
<html>
<body style="margin:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif">
  <table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
    <table role="presentation" width="600" cellpadding="24" cellspacing="0" style="background:#ffffff;max-width:600px">
      <tr><td>
        <h1 style="margin:0 0 16px;font-size:24px">${w.hello}</h1>
        <p style="font-size:16px;line-height:1.5">${w.text}</p>
        <p><a href="https://example.com/" style="background:#1c7ed6;color:#fff;padding:12px 20px;text-decoration:none;border-radius:4px">${w.button}</a></p>
        <p style="font-size:12px;color:#868e96">{unsubscribe_text} · {webview_text}</p>
      </td></tr>
    </table>
  </td></tr></table>
</body>
</html>`;
}

/** Tokens offered by the editor's token menu (field tokens are added from the field list). */
export const SPECIAL_TOKENS = [
  "{unsubscribe_url}",
  "{unsubscribe_text}",
  "{webview_url}",
  "{webview_text}",
  "{tracking_pixel}",
  "{subject}",
  "{signature}",
  "{today}",
];
