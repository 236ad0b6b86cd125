import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createNonce, HSTS_VALUE, securityHeaders } from "./security-headers";

const base = { nonce: "bm9uY2Utb25l", appUrl: "http://localhost:3000", issuer: "http://localhost:4000" };

/** The CSP as a map of directive name to its sources. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(";").map((part) => {
      const [name = "", ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe("contentSecurityPolicy", () => {
  it("allows scripts only with the nonce, and nothing inline or from elsewhere", () => {
    const csp = directives(contentSecurityPolicy(base));
    expect(csp.get("script-src")).toEqual(["'self'", "'nonce-bm9uY2Utb25l'", "'strict-dynamic'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("style-src")).toEqual(["'self'", "'nonce-bm9uY2Utb25l'"]);
    expect(csp.get("img-src")).toEqual(["'self'", "data:"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(contentSecurityPolicy(base)).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it("lets forms lead only to this app and the IdP's origin", () => {
    const csp = directives(contentSecurityPolicy({ ...base, issuer: "https://tenant.us.auth0.com/" }));
    expect(csp.get("form-action")).toEqual(["'self'", "https://tenant.us.auth0.com"]);
    const keycloak = directives(contentSecurityPolicy({ ...base, issuer: "https://kc.example/realms/demo" }));
    expect(keycloak.get("form-action")).toEqual(["'self'", "https://kc.example"]);
  });

  it("allows eval and inline styles in development only", () => {
    const csp = directives(contentSecurityPolicy({ ...base, development: true }));
    expect(csp.get("script-src")).toContain("'unsafe-eval'");
    expect(csp.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it("upgrades insecure requests in production over https only", () => {
    expect(contentSecurityPolicy({ ...base, appUrl: "https://app.example" })).toMatch(/; upgrade-insecure-requests$/);
    expect(contentSecurityPolicy(base)).not.toContain("upgrade-insecure-requests");
    expect(contentSecurityPolicy({ ...base, appUrl: "https://app.example", development: true })).not.toContain(
      "upgrade-insecure-requests",
    );
  });
});

describe("securityHeaders", () => {
  it("sends HSTS over https only", () => {
    expect(securityHeaders({ ...base, appUrl: "https://app.example" })["Strict-Transport-Security"]).toBe(HSTS_VALUE);
    expect(HSTS_VALUE).toBe("max-age=63072000; includeSubDomains");
    expect(securityHeaders(base)).not.toHaveProperty("Strict-Transport-Security");
  });

  it("always sends nosniff, a referrer policy, no framing and no powerful features", () => {
    const headers = securityHeaders(base);
    expect(headers).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      "X-Frame-Options": "DENY",
      "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    });
    expect(headers["Content-Security-Policy"]).toBe(contentSecurityPolicy(base));
  });
});

describe("createNonce", () => {
  it("is 16 random bytes in base64, new every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});
