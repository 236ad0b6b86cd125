import { describe, expect, it } from "vitest";
import { jsonNoStore } from "./json";

describe("jsonNoStore", () => {
  it("answers JSON that no cache may keep, with the status asked for", async () => {
    const response = jsonNoStore({ ok: false }, { status: 503 });
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ ok: false });
  });

  it("keeps the caller's other headers, but never a cache-control that would let a cache keep it", () => {
    const response = jsonNoStore({}, { headers: { "retry-after": "5", "cache-control": "public, max-age=600" } });
    expect(response.headers.get("retry-after")).toBe("5");
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});
