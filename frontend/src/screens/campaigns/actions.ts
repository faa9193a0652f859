// Publishing (client checks, the backend's Validate, then Publish) and the JSON download.
import { ApiError } from "../../api";
import { Campaigns, type Graph, type Problem } from "../../api/campaigns";
import { clientProblems, mergeProblems } from "./graph";

export type PublishOutcome =
  | { ok: true; version: number }
  | { ok: false; problems: Problem[] }
  | { ok: false; problems: null; error: unknown };

/** tryPublish saves the draft, refuses with the problems list, else publishes. */
export async function tryPublish(
  id: string,
  graph: Graph,
  saveNow: () => Promise<boolean>,
): Promise<PublishOutcome> {
  if (!(await saveNow())) return { ok: false, problems: null, error: new Error("save failed") };
  let ps = clientProblems(graph, new Date());
  try {
    ps = mergeProblems(ps, (await Campaigns.Validate(graph)) ?? []);
  } catch {
    // Publish below checks again on the backend
  }
  if (ps.length > 0) return { ok: false, problems: ps };
  try {
    const c = await Campaigns.Publish(id);
    return { ok: true, version: c.version };
  } catch (e) {
    if (e instanceof ApiError && Array.isArray(e.params.problems))
      return { ok: false, problems: e.params.problems as Problem[] };
    return { ok: false, problems: null, error: e };
  }
}

/** download saves text as a file (browser mode; the window's webview downloads too). */
export function download(filename: string, text: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
