import { describe, expect, it } from "vitest";
import { ApiError, toApiError } from "./errors";

describe("toApiError", () => {
  it.each([
    [{ code: "invalid", key: "k", message: "m", fields: { email: "bad" } }, "invalid", "k", { email: "bad" }],
    [
      '{"code":"not_found","key":"contacts.errors.notFound","message":"no contact"}',
      "not_found",
      "contacts.errors.notFound",
      {},
    ],
    ["plain text", "internal", "errors.internal", {}],
    [new TypeError("Failed to fetch"), "internal", "errors.network", {}],
    [42, "internal", "errors.internal", {}],
  ])("%#", (input, code, key, fields) => {
    const e = toApiError(input);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe(code);
    expect(e.key).toBe(key);
    expect(e.fields).toEqual(fields);
  });
});
