import { describe, expect, it } from "vitest";
import { ROLES_CLAIM } from "./claims";
import { checkEnv, parseEnv } from "./env";

const required = { AUTH_SECRET: "s".repeat(40), AUTH_CLIENT_SECRET: "client-secret" };

describe("ROLES_CLAIM", () => {
  it("defaults to the claim name in lib/claims.ts and takes a tenant's own namespace", () => {
    expect(parseEnv(required).ROLES_CLAIM).toBe(ROLES_CLAIM);
    expect(parseEnv({ ...required, ROLES_CLAIM: "https://example.org/roles" }).ROLES_CLAIM).toBe("https://example.org/roles");
  });

  it.each([
    ["roles", /not namespaced \("roles" is the usual mistake\)/],
    ["urn:example:roles", /not namespaced/],
    ["email", /registered JWT\/OIDC claim/],
    ["https://tenant.auth0.com/roles", /reserves/],
    ["", /non-empty/],
  ])("refuses %o at start-up with the reason, in one line", (name, reason) => {
    expect(() => parseEnv({ ...required, ROLES_CLAIM: name })).toThrow(/^Invalid setting ROLES_CLAIM: /);
    expect(() => parseEnv({ ...required, ROLES_CLAIM: name })).toThrow(reason);
  });
});

describe("checkEnv", () => {
  it("reports every bad variable, one line each, and keeps the good values", () => {
    const { values, problems } = checkEnv({ AUTH_CLIENT_SECRET: "x", ROLES_CLAIM: "roles", AUTH_ISSUER: "not a url" });
    expect(problems.map((p) => p.name)).toEqual(["AUTH_SECRET", "AUTH_ISSUER", "ROLES_CLAIM"]);
    for (const { line } of problems) expect(line).toMatch(/^Invalid setting \w+: [^\n]+$/);
    expect(values).toMatchObject({ AUTH_CLIENT_SECRET: "x", API_AUDIENCE: "http://localhost:3000/api" });
    expect(values).not.toHaveProperty("ROLES_CLAIM");
  });

  it("reports the production refusals too", () => {
    const source = { ...required, NODE_ENV: "production", APP_URL: "https://app.example", AUTH_CLIENT_SECRET: "dev-only-abc" };
    expect(checkEnv(source).problems).toEqual([
      { name: "AUTH_CLIENT_SECRET", line: "Invalid setting AUTH_CLIENT_SECRET: the generated development secret cannot be used in production" },
    ]);
  });

  it("finds nothing wrong with good settings", () => {
    expect(checkEnv(required)).toMatchObject({ problems: [], values: { AUTH_ISSUER: "http://localhost:4000" } });
  });
});
