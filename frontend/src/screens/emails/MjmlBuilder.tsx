// The visual MJML builder (GrapesJS + grapesjs-mjml, what Mautic ships), loaded lazily: this
// module and its dependencies are a separate chunk bundled with the app, so it works offline.
// Workarounds from TOOLCHAIN.md: icons from the bundled font-awesome (cssIcons: ""), the
// pointer-based sorter (nativeDnD: false) because WebKitGTK drops HTML5 drags without data,
// no remote placeholder images or web fonts.
import "font-awesome/css/font-awesome.min.css";
import "grapesjs/dist/css/grapes.min.css";
import grapesjs, { type Editor } from "grapesjs";
import grapesjsMjml from "grapesjs-mjml";
import { useEffect, useRef } from "react";
import { grapesI18n, nameGrapesControls } from "../../components/grapes";
import { useI18n } from "../../i18n";
import { starterMJML, starterWords } from "./themes";

const PLACEHOLDER =
  "data:image/svg+xml;utf8," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="350" height="250"><rect width="100%" height="100%" fill="#e9ecef"/><text x="50%" y="50%" font-family="sans-serif" font-size="20" fill="#868e96" text-anchor="middle">Image</text></svg>',
  );

export interface BuilderChange {
  mjml: string;
  html: string;
  errors: string[];
}

/** MjmlBuilder edits MJML visually and reports the MJML source and the compiled HTML. */
export default function MjmlBuilder({
  source,
  onChange,
}: {
  source: string;
  onChange: (c: BuilderChange) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const cb = useRef(onChange);
  const { t, lang } = useI18n();
  cb.current = onChange;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is created once per mount
  useEffect(() => {
    if (!host.current) return;
    const editor: Editor = grapesjs.init({
      i18n: grapesI18n(lang),
      container: host.current,
      height: "640px",
      fromElement: false,
      storageManager: false,
      cssIcons: "",
      nativeDnD: false,
      components: source.trim().startsWith("<mjml") ? source : starterMJML(starterWords(t)),
      plugins: [grapesjsMjml],
      pluginsOpts: {
        [grapesjsMjml as unknown as string]: { imagePlaceholderSrc: PLACEHOLDER, fonts: {} },
      },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const emit = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const mjml = editor.getHtml();
        const res = editor.runCommand("mjml-code-to-html") as {
          html?: string;
          errors?: { formattedMessage?: string }[];
        };
        cb.current({
          mjml,
          html: res?.html ?? "",
          errors: (res?.errors ?? []).map((e) => e.formattedMessage ?? String(e)),
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
  return <div ref={host} data-testid="mjml-builder" />;
}
