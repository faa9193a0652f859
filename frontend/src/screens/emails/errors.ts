// Email screens show backend errors and checker issues in the UI language: a field error
// lists each field's translated message ("Please check: …") instead of "Check the highlighted fields (2)".
import { createContext, useContext } from "react";
import { ApiError } from "../../api";
import type { EmailIssue } from "../../api/emails";
import { errorText, type Lang, translate, useI18n } from "../../i18n";

/** emailErrorText is the sentence for a failed email call, in lang. */
export function emailErrorText(lang: Lang, e: unknown): string {
  if (e instanceof ApiError && e.fields && Object.keys(e.fields).length > 0) {
    const parts = Object.entries(e.fields)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([field, key]) => translate(lang, key, { ...e.params }, field));
    return translate(lang, "emails.errors.fields", { fields: parts.join(" ; ") });
  }
  return errorText(lang, e);
}

/** useEmailI18n is useI18n whose te() lists field errors. */
export function useEmailI18n() {
  const i = useI18n();
  return { ...i, te: (e: unknown) => emailErrorText(i.lang, e) };
}

/** issueText is a checker issue in lang: its key with its params, the email part named by its
 *  field label; the backend's English detail when the key is unknown. */
export function issueText(lang: Lang, i: EmailIssue): string {
  const part = i.params?.part;
  const params = { ...i.params, ...(part ? { part: translate(lang, `emails.field.${part}`) } : {}) };
  return translate(lang, i.key, params, i.detail);
}

/** emailFieldErrors maps each invalid field of a failed save to its message, in lang. */
export function emailFieldErrors(lang: Lang, e: unknown): Record<string, string> {
  if (!(e instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const [field, key] of Object.entries(e.fields ?? {}))
    out[field] = translate(lang, key, { ...e.params }, key);
  return out;
}

/** FieldErrors carries the last save's field errors to the editor's inputs. */
export const FieldErrors = createContext<Record<string, string>>({});

/** useFieldError returns the message to show under a field, if any. */
export function useFieldError(): (field: string) => string | undefined {
  const errs = useContext(FieldErrors);
  return (field) => errs[field];
}
