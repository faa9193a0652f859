// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { dispatch, installBrowserBridge, isDesktop, rpc } from "./bridge";
import { ApiError } from "./errors";

type GoWindow = { go: { app: Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>> } };

function mockFetch(status: number, body: unknown) {
  const f = vi.fn(
    async (_url: string, _init?: RequestInit) => new Response(JSON.stringify(body), { status }),
  );
  vi.stubGlobal("fetch", f);
  return f;
}

afterEach(() => vi.unstubAllGlobals());

describe("browser bridge", () => {
  it("installs window.go whose methods POST the argument array", async () => {
    installBrowserBridge();
    expect(isDesktop()).toBe(false);
    const f = mockFetch(200, { result: { rows: [], total: 7, offset: 0 } });
    const w = window as unknown as GoWindow;
    const res = await w.go.app.Contacts?.List?.({ search: "ann" });
    expect(res).toEqual({ rows: [], total: 7, offset: 0 });
    expect(f).toHaveBeenCalledTimes(1);
    const [url, init] = f.mock.calls[0] ?? [];
    expect(url).toBe("/rpc/app.Contacts.List");
    expect(init?.method).toBe("POST");
    expect(JSON.parse(String(init?.body))).toEqual([{ search: "ann" }]);
  });

  it.each([
    [
      400,
      {
        error: {
          code: "invalid",
          key: "errors.fields",
          message: "email: bad",
          fields: { email: "fields.errors.email" },
        },
      },
      "invalid",
      { email: "fields.errors.email" },
    ],
    [401, { error: { code: "forbidden", key: "errors.token", message: "no session" } }, "forbidden", {}],
    [500, "not json at all", "internal", {}],
  ])("HTTP %i rejects with ApiError", async (status, body, code, fields) => {
    if (typeof body === "string") {
      vi.stubGlobal(
        "fetch",
        vi.fn(async () => new Response(body, { status })),
      );
    } else mockFetch(status, body);
    const err = await rpc("app.Contacts.Update", ["id", {}]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(code);
    expect((err as ApiError).fields).toEqual(fields);
  });

  it("a network failure is 'unavailable'", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))),
    );
    const err = (await rpc("app.System.Info", []).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("unavailable");
    expect(err.key).toBe("errors.offline");
  });

  it("events reach listeners; once-listeners stop after one", () => {
    installBrowserBridge();
    const rt = (
      window as unknown as {
        runtime: { EventsOnMultiple: (n: string, cb: (d: unknown) => void, max: number) => () => void };
      }
    ).runtime;
    const seen: unknown[] = [];
    const once: unknown[] = [];
    const off = rt.EventsOnMultiple("job:progress", (d) => seen.push(d), -1);
    rt.EventsOnMultiple("job:progress", (d) => once.push(d), 1);
    dispatch("job:progress", 1);
    dispatch("job:progress", 2);
    off();
    dispatch("job:progress", 3);
    expect(seen).toEqual([1, 2]);
    expect(once).toEqual([1]);
  });
});
