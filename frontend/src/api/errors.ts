// Errors from the backend arrive as app.ErrorView ({code,key,params,fields,message}) both
// from Wails (ErrorFormatter) and from the browser bridge. ApiError keeps all of it.

export interface ErrorView {
  code: string;
  key: string;
  params?: Record<string, unknown>;
  fields?: Record<string, string>;
  message: string;
  ref?: string;
}

export class ApiError extends Error {
  readonly code: string;
  readonly key: string;
  readonly params: Record<string, unknown>;
  readonly fields: Record<string, string>;
  readonly ref?: string;

  constructor(v: ErrorView) {
    super(v.message || v.key || v.code);
    this.name = "ApiError";
    this.code = v.code || "internal";
    this.key = v.key || "errors.internal";
    this.params = v.params ?? {};
    this.fields = v.fields ?? {};
    this.ref = v.ref;
  }
}

function isErrorView(v: unknown): v is ErrorView {
  return typeof v === "object" && v !== null && "code" in v && ("message" in v || "key" in v);
}

/** toApiError turns whatever a failed call rejected with into an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (isErrorView(e)) return new ApiError(e);
  if (typeof e === "string") {
    try {
      const parsed: unknown = JSON.parse(e);
      if (isErrorView(parsed)) return new ApiError(parsed);
    } catch {
      // not JSON: a plain message
    }
    return new ApiError({ code: "internal", key: "errors.internal", message: e });
  }
  if (e instanceof Error)
    return new ApiError({ code: "internal", key: "errors.network", message: e.message });
  return new ApiError({ code: "internal", key: "errors.internal", message: String(e) });
}

type AnyFn = (...a: never[]) => Promise<unknown>;

/** wrap makes every bound function of m reject with an ApiError. */
export function wrap<M extends Record<string, AnyFn>>(m: M): M {
  const out: Record<string, AnyFn> = {};
  for (const [k, f] of Object.entries(m)) {
    out[k] = (async (...a: never[]) => {
      try {
        return await f(...a);
      } catch (e) {
        throw toApiError(e);
      }
    }) as AnyFn;
  }
  return out as M;
}
