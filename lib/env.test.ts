import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

let parseEnv: typeof import("./env").parseEnv;
const base = { AUTH_SECRET: "env-test-auth-secret-0123456789abcdef", AUTH_CLIENT_SECRET: "env-test-client-secret" };

beforeAll(async () => {
  // lib/env.ts validates process.env when it is first imported.
  for (const [name, value] of Object.entries(base)) vi.stubEnv(name, value);
  vi.resetModules();
  ({ parseEnv } = await import("./env"));
});
afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("the role-management settings", () => {
  it("default to the local IdP's Management API and a ten-minute recent sign-in", () => {
    expect(parseEnv(base)).toMatchObject({
      MANAGEMENT_CLIENT_ID: "claimtrip-management",
      MANAGEMENT_AUDIENCE: "http://localhost:4000/api/v2/",
      ADMIN_REAUTH_MAX_AGE: 600,
    });
    expect(parseEnv(base).MANAGEMENT_CLIENT_SECRET).toBeUndefined();
  });

  it("derive the audience from an Auth0 issuer (trailing slash and all), unless it is set", () => {
    expect(parseEnv({ ...base, AUTH_ISSUER: "https://tenant.us.auth0.com/" }).MANAGEMENT_AUDIENCE).toBe("https://tenant.us.auth0.com/api/v2/");
    expect(parseEnv({ ...base, MANAGEMENT_AUDIENCE: "https://tenant.us.auth0.com/api/v2/" }).MANAGEMENT_AUDIENCE).toBe(
      "https://tenant.us.auth0.com/api/v2/",
    );
  });

  it.each([
    [{ ADMIN_REAUTH_MAX_AGE: "ten minutes" }, /^Invalid setting ADMIN_REAUTH_MAX_AGE: /],
    [{ MANAGEMENT_AUDIENCE: "not a url" }, /^Invalid setting MANAGEMENT_AUDIENCE: /],
    [{ MANAGEMENT_CLIENT_ID: "" }, /^Invalid setting MANAGEMENT_CLIENT_ID: /],
  ])("stop on %o with one line naming the variable", (bad, message) => {
    expect(() => parseEnv({ ...base, ...bad })).toThrow(message);
  });

  it("refuse the generated management secret in a deployed production app", () => {
    const production = { ...base, NODE_ENV: "production", APP_URL: "https://app.example.com" };
    expect(() => parseEnv({ ...production, MANAGEMENT_CLIENT_SECRET: "dev-only-0123456789" })).toThrow(
      /^Invalid setting MANAGEMENT_CLIENT_SECRET: the generated development secret/,
    );
    expect(() => parseEnv({ ...production, MANAGEMENT_CLIENT_SECRET: "a-real-secret-from-auth0" })).not.toThrow();
  });
});
