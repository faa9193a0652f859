// A tiny hash router: #/contacts/123 → ["contacts", "123"]. Hash routes work the same in the
// Wails window (no server routes) and in the browser.
import { useSyncExternalStore } from "react";

function current(): string {
  const h = window.location.hash.replace(/^#/, "");
  return h.startsWith("/") ? h : `/${h}`;
}

function subscribe(cb: () => void): () => void {
  window.addEventListener("hashchange", cb);
  return () => window.removeEventListener("hashchange", cb);
}

export interface Route {
  path: string;
  parts: string[];
  query: URLSearchParams;
}

export function parseRoute(raw: string): Route {
  const [path = "/", q = ""] = raw.split("?", 2);
  return {
    path,
    parts: path.split("/").filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(q),
  };
}

export function useRoute(): Route {
  const raw = useSyncExternalStore(subscribe, current, () => "/");
  return parseRoute(raw);
}

export function navigate(path: string): void {
  window.location.hash = path;
}

/** isActive says whether nav item path is the current section. */
export function isActive(itemPath: string, routePath: string): boolean {
  if (itemPath === "/") return routePath === "/";
  return routePath === itemPath || routePath.startsWith(`${itemPath}/`);
}
