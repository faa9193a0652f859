// Browser mode: when the page is not inside the Wails window there is no window.go. We
// install one whose methods POST to the bridge (/rpc/app.<Type>.<Method>, JSON array of
// arguments) and a window.runtime whose events come from GET /events (SSE), so the generated
// bindings in frontend/wailsjs work unchanged. See app/bridge/bridge.go.
import { ApiError, type ErrorView, toApiError } from "./errors";

type Callback = (...data: unknown[]) => void;
interface Listener {
  cb: Callback;
  left: number; // -1 = forever
}

const listeners = new Map<string, Listener[]>();
let source: EventSource | null = null;

export function isDesktop(): boolean {
  const w = window as unknown as { go?: { app?: unknown }; __magpieBrowser?: boolean };
  return !w.__magpieBrowser && typeof w.go?.app === "object" && w.go.app !== null;
}

export async function rpc(name: string, args: unknown[]): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`/rpc/${name}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(args),
    });
  } catch (e) {
    throw new ApiError({
      code: "unavailable",
      key: "errors.offline",
      message: `Magpie is not reachable (${e instanceof Error ? e.message : String(e)})`,
    });
  }
  let body: { result?: unknown; error?: ErrorView } | null = null;
  try {
    body = (await res.json()) as { result?: unknown; error?: ErrorView };
  } catch {
    throw new ApiError({
      code: "internal",
      key: "errors.badResponse",
      message: `HTTP ${res.status} from ${name}`,
    });
  }
  if (body?.error) throw new ApiError(body.error);
  if (!res.ok) throw toApiError(`HTTP ${res.status} from ${name}`);
  return body?.result ?? null;
}

export function dispatch(name: string, data: unknown): void {
  const ls = listeners.get(name);
  if (!ls) return;
  for (const l of [...ls]) {
    l.cb(data);
    if (l.left > 0) {
      l.left--;
      if (l.left === 0) ls.splice(ls.indexOf(l), 1);
    }
  }
}

function connect(): void {
  if (source || typeof EventSource === "undefined") return;
  source = new EventSource("/events", { withCredentials: true });
  source.onmessage = (ev: MessageEvent<string>) => {
    try {
      const msg = JSON.parse(ev.data) as { name: string; data: unknown };
      dispatch(msg.name, msg.data);
    } catch {
      // a malformed event is dropped
    }
  };
}

function onMultiple(name: string, cb: Callback, max: number): () => void {
  connect();
  const l: Listener = { cb, left: max };
  const ls = listeners.get(name) ?? [];
  ls.push(l);
  listeners.set(name, ls);
  return () => {
    const cur = listeners.get(name);
    if (cur) cur.splice(cur.indexOf(l) >>> 0, 1);
  };
}

const browserRuntime: Record<string, unknown> = {
  EventsOnMultiple: onMultiple,
  EventsOff: (...names: string[]) => {
    for (const n of names) listeners.delete(n);
  },
  EventsOffAll: () => listeners.clear(),
  EventsEmit: (name: string, data: unknown) => dispatch(name, data),
};
browserRuntime.BrowserOpenURL = (url: string) => window.open(url, "_blank", "noopener");
browserRuntime.WindowSetTitle = (title: string) => {
  document.title = title;
};

/** installBrowserBridge defines window.go and window.runtime when Wails did not. */
export function installBrowserBridge(): void {
  const w = window as unknown as Record<string, unknown>;
  if (typeof w.go === "object" && w.go !== null) return; // inside the Wails window
  const types = new Map<string, Record<string, (...a: unknown[]) => Promise<unknown>>>();
  const app = new Proxy(
    {},
    {
      get(_t, typ: string) {
        let methods = types.get(typ);
        if (!methods) {
          methods = new Proxy(
            {},
            {
              get(_m, method: string) {
                return (...args: unknown[]) => rpc(`app.${typ}.${method}`, args);
              },
            },
          ) as Record<string, (...a: unknown[]) => Promise<unknown>>;
          types.set(typ, methods);
        }
        return methods;
      },
    },
  );
  w.__magpieBrowser = true;
  w.go = { app };
  w.runtime = browserRuntime;
}
