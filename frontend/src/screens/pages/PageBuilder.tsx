// The visual page builder: the same GrapesJS editor the email builder uses (same offline
// workarounds: bundled icons, pointer-based sorter), in page mode — plain HTML/CSS, no MJML.
import "font-awesome/css/font-awesome.min.css";
import "grapesjs/dist/css/grapes.min.css";
import grapesjs, { type Editor, type ProjectData } from "grapesjs";
import { useEffect, useRef } from "react";
import { grapesI18n, nameGrapesControls } from "../../components/grapes";
import { useI18n } from "../../i18n";

export interface PageChange {
  source: string; // GrapesJS project JSON
  html: string; // body HTML with the page CSS in a <style> element
}

const BLOCKS: { id: string; label: string; content: string }[] = [
  { id: "heading", label: "Heading", content: "<h1>Heading</h1>" },
  { id: "text", label: "Text", content: "<p>Write something persuasive.</p>" },
  {
    id: "button",
    label: "Button",
    content:
      '<a href="https://" style="display:inline-block;padding:12px 22px;background:#1c7ed6;color:#fff;border-radius:6px;text-decoration:none">Call to action</a>',
  },
  {
    id: "columns",
    label: "2 columns",
    content:
      '<div style="display:flex;gap:24px"><div style="flex:1;min-height:60px"><p>Left</p></div><div style="flex:1;min-height:60px"><p>Right</p></div></div>',
  },
  { id: "image", label: "Image", content: { type: "image" } as unknown as string },
  { id: "dwc", label: "Dynamic content", content: "<div>{dwc=hero}</div>" },
  { id: "form", label: "Form", content: "<div>{form=1}</div>" },
  { id: "greeting", label: "Greeting", content: "<p>Hello {contactfield=firstname|there}!</p>" },
];

/** PageBuilder edits a landing page visually and reports the project JSON and the HTML. */
export default function PageBuilder({
  source,
  html,
  onChange,
}: {
  source: string;
  html: string;
  onChange: (c: PageChange) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const cb = useRef(onChange);
  const { t, lang } = useI18n();
  cb.current = onChange;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is created once per mount
  useEffect(() => {
    if (!host.current) return;
    let project: ProjectData | undefined;
    try {
      project = source ? (JSON.parse(source) as ProjectData) : undefined;
    } catch {
      project = undefined;
    }
    const editor: Editor = grapesjs.init({
      i18n: grapesI18n(lang),
      container: host.current,
      height: "640px",
      fromElement: false,
      storageManager: false,
      cssIcons: "",
      nativeDnD: false,
      ...(project ? { projectData: project } : { components: html }),
    });
    for (const b of BLOCKS) {
      editor.BlockManager.add(b.id, { label: b.label, content: b.content, category: "Page" });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const emit = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const css = editor.getCss() ?? "";
        cb.current({
          source: JSON.stringify(editor.getProjectData()),
          html: (css ? `<style>${css}</style>` : "") + editor.getHtml(),
        });
      }, 300);
    };
    editor.on("update", emit);
    editor.on("load", () => {
      nameGrapesControls(editor, t("builder.canvas"), t("builder.device"));
      emit();
    });
    return () => {
      clearTimeout(timer);
      editor.destroy();
    };
  }, []);
  return <div ref={host} data-testid="page-builder" />;
}
