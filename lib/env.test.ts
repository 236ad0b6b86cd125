/**
 * The app's settings: production refuses what would be unsafe to deploy, by parsed hostname
 * (lib/shared/settings.ts), with one line naming the variable.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

let parseEnv: typeof import("./env").parseEnv;

beforeAll(async () => {
  // lib/env.ts validates this process's settings on import.
  vi.stubEnv("AUTH_SECRET", "env-test-secret-0123456789abcdefghijkl");
  vi.stubEnv("AUTH_CLIENT_SECRET", "env-test-client-secret");
  vi.stubEnv("AUTH_URL", undefined);
  vi.resetModules();
  ({ parseEnv } = await import("./env"));
});
afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

const generated = { AUTH_SECRET: "dev-only-0123456789abcdefghijklmnopqrstuv", AUTH_CLIENT_SECRET: "dev-only-client-secret-0123456789" };
const own = { AUTH_SECRET: "a-real-secret-0123456789abcdefghijklmnopq", AUTH_CLIENT_SECRET: "a-real-client-secret" };

describe("production settings", () => {
  it.each(["http://localhost.evil.example", "http://localhost@evil.example", "http://localhost:3000@evil.example", "https://app.example.com"])(
    "refuses the generated development secrets for APP_URL %s",
    (APP_URL) => {
      const run = () => parseEnv({ ...generated, NODE_ENV: "production", APP_URL, AUTH_ISSUER: "https://id.example.com" });
      expect(run).toThrow(/^Invalid setting AUTH_SECRET: the generated development secret cannot be used in production$/);
    },
  );

  it.each(["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"])("keeps `npm start` on %s working with them", (APP_URL) => {
    expect(() => parseEnv({ ...generated, NODE_ENV: "production", APP_URL })).not.toThrow();
  });

  it.each([
    [{ APP_URL: "http://app.example.com", AUTH_ISSUER: "https://id.example.com" }, /^Invalid setting APP_URL: production needs an https:\/\/ URL/],
    [{ APP_URL: "https://app.example.com", AUTH_ISSUER: "http://id.example.com" }, /^Invalid setting AUTH_ISSUER: production needs an https:\/\/ URL/],
    [{ APP_URL: "https://app.example.com", AUTH_ISSUER: "http://localhost.evil.example:4000" }, /^Invalid setting AUTH_ISSUER: production needs an https:\/\/ URL/],
  ])("refuses plain http off loopback: %o", (urls, message) => {
    expect(() => parseEnv({ ...own, NODE_ENV: "production", ...urls })).toThrow(message);
  });

  it("accepts https, and http on loopback", () => {
    expect(() => parseEnv({ ...own, NODE_ENV: "production", APP_URL: "https://app.example.com", AUTH_ISSUER: "https://id.example.com/" })).not.toThrow();
    expect(() => parseEnv({ ...own, NODE_ENV: "production", APP_URL: "https://app.example.com", AUTH_ISSUER: "http://127.0.0.1:4000" })).not.toThrow();
    expect(() => parseEnv({ ...own, NODE_ENV: "development", APP_URL: "http://app.example.com", AUTH_ISSUER: "http://id.example.com" })).not.toThrow();
  });
});

const base = { AUTH_SECRET: "env-test-auth-secret-0123456789abcdef", AUTH_CLIENT_SECRET: "env-test-client-secret" };

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

  it("refuse the generated management secret, and a plain-http Management API, in a deployed production app", () => {
    const production = { ...own, NODE_ENV: "production", APP_URL: "https://app.example.com", AUTH_ISSUER: "https://id.example.com/" };
    expect(() => parseEnv({ ...production, MANAGEMENT_CLIENT_SECRET: "dev-only-0123456789" })).toThrow(
      /^Invalid setting MANAGEMENT_CLIENT_SECRET: the generated development secret/,
    );
    expect(() => parseEnv({ ...production, MANAGEMENT_CLIENT_SECRET: "a-real-secret-from-auth0" })).not.toThrow();
    expect(() => parseEnv({ ...production, MANAGEMENT_AUDIENCE: "http://id.example.com/api/v2/" })).toThrow(
      /^Invalid setting MANAGEMENT_AUDIENCE: production needs an https:\/\/ URL/,
    );
  });
});
