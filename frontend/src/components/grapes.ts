// What the two GrapesJS editors (landing pages, MJML emails) share: the UI language and
// accessible names for the controls GrapesJS leaves unnamed.
import type { Editor, I18nConfig } from "grapesjs";
import fr from "grapesjs/locale/fr.mjs";
import type { Lang } from "../i18n";

/** grapesI18n speaks the app's language (not the browser's) in GrapesJS's own panels. */
export function grapesI18n(lang: Lang): I18nConfig {
  return { locale: lang, detectLocale: false, messagesAdd: { fr } };
}

/** nameGrapesControls gives GrapesJS's unnamed canvas frame and device picker accessible
 *  names (WCAG 4.1.2); call it once the editor has loaded. */
export function nameGrapesControls(editor: Editor, canvas: string, device: string) {
  editor.Canvas.getFrameEl()?.setAttribute("title", canvas);
  editor.getContainer()?.querySelector("select.gjs-devices")?.setAttribute("aria-label", device);
}
