import type { Editor } from "grapesjs";

/** nameGrapesControls gives GrapesJS's unnamed canvas frame and device picker accessible
 *  names (WCAG 4.1.2); call it once the editor has loaded. */
export function nameGrapesControls(editor: Editor, canvas: string, device: string) {
  editor.Canvas.getFrameEl()?.setAttribute("title", canvas);
  editor.getContainer()?.querySelector("select.gjs-devices")?.setAttribute("aria-label", device);
}
