import { describe, expect, it, vi } from "vitest";

import { DEFAULT_TIMEOUT_MS, discoveryUrl, fetchDiscovery, type FetchLike } from "./discovery";

describe("discoveryUrl", () => {
  it("appends the well-known path to the issuer, its trailing slashes dropped", () => {
    expect(discoveryUrl("http://localhost:4000")).toBe("http://localhost:4000/.well-known/openid-configuration");
    expect(discoveryUrl("https://tenant.auth0.com/")).toBe("https://tenant.auth0.com/.well-known/openid-configuration");
    expect(discoveryUrl("https://kc.example/realms/demo//")).toBe(
      "https://kc.example/realms/demo/.well-known/openid-configuration",
    );
  });
});

describe("fetchDiscovery", () => {
  it("GETs the document as JSON, bypassing HTTP caches, following no redirect, within the timeout", async () => {
    const calls: [string, RequestInit][] = [];
    const fetch: FetchLike = async (url, init) => {
      calls.push([url, init]);
      return new Response("{}", { status: 302, headers: { location: "https://elsewhere.example/" } });
    };
    const timeout = vi.spyOn(AbortSignal, "timeout");
    const response = await fetchDiscovery("https://idp.example/", { fetch, timeout: 1234 });
    // The redirect comes back as it is: the caller sees a 3xx, not another server's document.
    expect(response.status).toBe(302);
    expect(calls).toHaveLength(1);
    const [url, init] = calls[0]!;
    expect(url).toBe("https://idp.example/.well-known/openid-configuration");
    expect(init).toMatchObject({ method: "GET", redirect: "manual", cache: "no-store" });
    expect(new Headers(init.headers).get("accept")).toBe("application/json");
    expect(init.signal).toBeInstanceOf(AbortSignal);
    expect(timeout).toHaveBeenLastCalledWith(1234);
    await fetchDiscovery("https://idp.example", { fetch });
    expect(timeout).toHaveBeenLastCalledWith(DEFAULT_TIMEOUT_MS);
    expect(DEFAULT_TIMEOUT_MS).toBe(5_000);
    timeout.mockRestore();
  });

  it("uses the global fetch as it is at the time of the request", async () => {
    const spy = vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("{}"));
    try {
      await fetchDiscovery("https://idp.example");
      expect(spy).toHaveBeenCalledWith("https://idp.example/.well-known/openid-configuration", expect.any(Object));
    } finally {
      spy.mockRestore();
    }
  });
});
