// Email screens show backend errors in the UI language: a field error lists each field's
// translated message ("Please check: …") instead of "2 fields are invalid".
import { ApiError } from "../../api";
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
