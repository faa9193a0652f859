import { EmailEditor } from "./EmailEditor";
import { EmailList } from "./EmailList";
import { EmailSettingsScreen } from "./EmailSettings";

/** EmailRoutes: #/emails, #/emails/settings, #/emails/new/list|template, #/emails/ID. */
export function EmailRoutes({ parts }: { parts: string[] }) {
  const [, a, b] = parts;
  if (!a) return <EmailList />;
  if (a === "settings") return <EmailSettingsScreen />;
  if (a === "new") return <EmailEditor key={`new-${b}`} newKind={b === "list" ? "list" : "template"} />;
  return <EmailEditor key={a} id={a} />;
}
