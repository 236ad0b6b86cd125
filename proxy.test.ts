import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";

vi.mock("./lib/env", () => ({
  env: {
    APP_URL: "http://localhost:3000",
    AUTH_ISSUER: "http://localhost:4000",
    NODE_ENV: "production",
    LOG_LEVEL: "silent",
  },
}));

const { proxy } = await import("./proxy");

const request = (path: string, init: ConstructorParameters<typeof NextRequest>[1] = {}) =>
  new NextRequest(`http://localhost:3000${path}`, init);

/** What NextResponse.next() hands on to the route as request headers. */
const forwarded = (response: Response, name: string) => response.headers.get(`x-middleware-request-${name}`);

const nonceOf = (csp: string | null) => /'nonce-([^']+)'/.exec(csp ?? "")?.[1];

describe("proxy", () => {
  it("sets the CSP with a fresh nonce on the response and on the request Next.js renders", () => {
    const first = proxy(request("/dashboard"));
    const second = proxy(request("/dashboard"));
    const csp = first.headers.get("content-security-policy");

    expect(csp).toContain("script-src 'self' 'nonce-");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(forwarded(first, "content-security-policy")).toBe(csp);
    expect(nonceOf(csp)).toBeTruthy();
    expect(nonceOf(csp)).not.toBe(nonceOf(second.headers.get("content-security-policy")));
  });

  it("sets the other security headers on pages, API routes and files alike", () => {
    for (const path of ["/", "/api/me", "/api/auth/session", "/_next/static/chunks/app.js"]) {
      const response = proxy(request(path));
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("content-security-policy"), path).toBeTruthy();
      expect(response.headers.get("strict-transport-security"), "not over http").toBeNull();
    }
  });

  it("keeps a well-formed request id, replaces a bad one, and sends it both ways", () => {
    const kept = proxy(request("/", { headers: { "x-request-id": "lb-0123456789abcdef" } }));
    expect(kept.headers.get("x-request-id")).toBe("lb-0123456789abcdef");
    expect(forwarded(kept, "x-request-id")).toBe("lb-0123456789abcdef");

    const replaced = proxy(request("/", { headers: { "x-request-id": 'bad"id' } }));
    const fresh = replaced.headers.get("x-request-id");
    expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
    expect(forwarded(replaced, "x-request-id")).toBe(fresh);
  });

  it("tells server code where the request was going, whatever path header the client sent", () => {
    const response = proxy(
      request("/tokens?tab=id&_rsc=x1", { headers: { "x-request-path": "https://evil.example/" } }),
    );
    expect(forwarded(response, "x-request-path")).toBe("/tokens?tab=id");
  });

  it("refuses a cross-site post, with the security headers still on", async () => {
    const response = proxy(
      request("/", { method: "POST", headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } }),
    );
    expect(response.status).toBe(403);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      error: "forbidden",
      error_description: "Cross-site requests cannot change anything here",
    });
    expect(response.headers.get("content-security-policy")).toBeTruthy();
    expect(response.headers.get("x-request-id")).toBeTruthy();
    expect(response.headers.get("x-middleware-next")).toBeNull();
  });

  it("lets the IdP's cross-site back-channel logout post through to its route, and no other cross-site post", () => {
    const headers = {
      origin: "https://idp.example",
      "sec-fetch-site": "cross-site",
      "content-type": "application/x-www-form-urlencoded",
    };
    const logout = proxy(request("/api/auth/backchannel-logout", { method: "POST", headers }));
    expect(logout.headers.get("x-middleware-next")).toBe("1");
    expect(logout.headers.get("content-security-policy")).toBeTruthy();
    for (const path of ["/api/auth/signout", "/api/auth/backchannel-logout/x", "/"]) {
      expect(proxy(request(path, { method: "POST", headers })).status, path).toBe(403);
    }
  });

  it("lets the app's own posts through to the route", () => {
    const response = proxy(request("/", { method: "POST", headers: { origin: "http://localhost:3000" } }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-middleware-next")).toBe("1");
  });

  it("names the instance on every answer when INSTANCE_ID is set, and not otherwise", async () => {
    const { env } = (await import("./lib/env")) as unknown as { env: Record<string, string | undefined> };
    expect(proxy(request("/")).headers.get("x-claimtrip-instance")).toBeNull();
    env.INSTANCE_ID = "app-b";
    try {
      expect(proxy(request("/")).headers.get("x-claimtrip-instance")).toBe("app-b");
      const refused = proxy(request("/", { method: "POST", headers: { origin: "https://evil.example" } }));
      expect(refused.headers.get("x-claimtrip-instance")).toBe("app-b");
    } finally {
      delete env.INSTANCE_ID;
    }
  });
});
