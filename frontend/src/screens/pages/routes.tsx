import { PageEditorScreen } from "./PageEditor";
import { PageList } from "./PageList";

/** PageRoutes: #/pages, #/pages/new, #/pages/new/variant|translation/PARENT, #/pages/ID. */
export function PageRoutes({ parts }: { parts: string[] }) {
  const [, a, b, c] = parts;
  if (!a) return <PageList />;
  if (a === "new") return <PageEditorScreen key={`new-${b}-${c}`} id="new" kind={b} parent={c} />;
  return <PageEditorScreen key={a} id={a} />;
}
