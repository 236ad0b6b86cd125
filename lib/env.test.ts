/**
 * The app's settings: production refuses what would be unsafe to deploy, by parsed hostname
 * (lib/shared/settings.ts), with one line naming the variable.
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ROLES_CLAIM } from "./shared/claims";

let parseEnv: typeof import("./env").parseEnv;
let checkEnv: typeof import("./env").checkEnv;

beforeAll(async () => {
  // lib/env.ts validates this process's settings on first use.
  vi.stubEnv("AUTH_SECRET", "env-test-secret-0123456789abcdefghijkl");
  vi.stubEnv("AUTH_CLIENT_SECRET", "env-test-client-secret");
  vi.stubEnv("AUTH_URL", undefined);
  vi.resetModules();
  ({ parseEnv, checkEnv } = await import("./env"));
});
afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

const generated = {
  AUTH_SECRET: "dev-only-0123456789abcdefghijklmnopqrstuv",
  AUTH_CLIENT_SECRET: "dev-only-client-secret-0123456789",
};
const ecJwk = (curve = "P-256") =>
  generateKeyPairSync("ec", { namedCurve: curve }).privateKey.export({ format: "jwk" });
const dpopKey = JSON.stringify({ ...ecJwk(), kid: "app-2026-12" });
const own = {
  AUTH_SECRET: "a-real-secret-0123456789abcdefghijklmnopq",
  AUTH_CLIENT_SECRET: "a-real-client-secret",
  AUTH_DPOP_PRIVATE_KEY: dpopKey,
};

describe("production settings", () => {
  it.each([
    "http://localhost.evil.example",
    "http://localhost@evil.example",
    "http://localhost:3000@evil.example",
    "https://app.example.com",
  ])("refuses the generated development secrets for APP_URL %s", (APP_URL) => {
    const run = () =>
      parseEnv({ ...generated, NODE_ENV: "production", APP_URL, AUTH_ISSUER: "https://id.example.com" });
    expect(run).toThrow(/^Invalid setting AUTH_SECRET: the generated development secret cannot be used in production$/);
  });

  it.each(["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"])(
    "keeps `npm start` on %s working with them",
    (APP_URL) => {
      expect(() => parseEnv({ ...generated, NODE_ENV: "production", APP_URL })).not.toThrow();
    },
  );

  it.each([
    [
      { APP_URL: "http://app.example.com", AUTH_ISSUER: "https://id.example.com" },
      /^Invalid setting APP_URL: production needs an https:\/\/ URL/,
    ],
    [
      { APP_URL: "https://app.example.com", AUTH_ISSUER: "http://id.example.com" },
      /^Invalid setting AUTH_ISSUER: production needs an https:\/\/ URL/,
    ],
    [
      { APP_URL: "https://app.example.com", AUTH_ISSUER: "http://localhost.evil.example:4000" },
      /^Invalid setting AUTH_ISSUER: production needs an https:\/\/ URL/,
    ],
  ])("refuses plain http off loopback: %o", (urls, message) => {
    expect(() => parseEnv({ ...own, NODE_ENV: "production", ...urls })).toThrow(message);
  });

  it("accepts https, and http on loopback", () => {
    expect(() =>
      parseEnv({
        ...own,
        NODE_ENV: "production",
        APP_URL: "https://app.example.com",
        AUTH_ISSUER: "https://id.example.com/",
      }),
    ).not.toThrow();
    expect(() =>
      parseEnv({
        ...own,
        NODE_ENV: "production",
        APP_URL: "https://app.example.com",
        AUTH_ISSUER: "http://127.0.0.1:4000",
      }),
    ).not.toThrow();
    expect(() =>
      parseEnv({
        ...own,
        NODE_ENV: "development",
        APP_URL: "http://app.example.com",
        AUTH_ISSUER: "http://id.example.com",
      }),
    ).not.toThrow();
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
    expect(parseEnv({ ...base, AUTH_ISSUER: "https://tenant.us.auth0.com/" }).MANAGEMENT_AUDIENCE).toBe(
      "https://tenant.us.auth0.com/api/v2/",
    );
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
    const production = {
      ...own,
      NODE_ENV: "production",
      APP_URL: "https://app.example.com",
      AUTH_ISSUER: "https://id.example.com/",
    };
    expect(() => parseEnv({ ...production, MANAGEMENT_CLIENT_SECRET: "dev-only-0123456789" })).toThrow(
      /^Invalid setting MANAGEMENT_CLIENT_SECRET: the generated development secret/,
    );
    expect(() => parseEnv({ ...production, MANAGEMENT_CLIENT_SECRET: "a-real-secret-from-auth0" })).not.toThrow();
    expect(() => parseEnv({ ...production, MANAGEMENT_AUDIENCE: "http://id.example.com/api/v2/" })).toThrow(
      /^Invalid setting MANAGEMENT_AUDIENCE: production needs an https:\/\/ URL/,
    );
  });
});

describe("DPoP settings", () => {
  const deployed = {
    ...own,
    NODE_ENV: "production",
    APP_URL: "https://app.example.com",
    AUTH_ISSUER: "https://id.example.com/",
  };

  it("default to API_DPOP=allowed and no key in development", () => {
    const env = parseEnv({ AUTH_SECRET: "s".repeat(40), AUTH_CLIENT_SECRET: "x" });
    expect(env.API_DPOP).toBe("allowed");
    expect(env.AUTH_DPOP_PRIVATE_KEY).toBeUndefined();
  });

  it("name the variable for a mode that does not exist", () => {
    expect(() => parseEnv({ ...own, API_DPOP: "maybe" })).toThrow(/^Invalid setting API_DPOP:/);
  });

  it.each([
    ["not JSON", "{"],
    ["a public key", JSON.stringify({ ...ecJwk(), d: undefined })],
    ["another curve", JSON.stringify(ecJwk("P-384"))],
    ["a symmetric key", JSON.stringify({ kty: "oct", k: "c2VjcmV0" })],
  ])("refuse %s as the DPoP key", (_name, value) => {
    expect(() => parseEnv({ ...own, AUTH_DPOP_PRIVATE_KEY: value })).toThrow(
      /^Invalid setting AUTH_DPOP_PRIVATE_KEY: expected an EC P-256 private JSON Web Key/,
    );
  });

  it("refuse a deployment without a DPoP key, or with the generated one", () => {
    expect(() => parseEnv(deployed)).not.toThrow();
    expect(() => parseEnv({ ...deployed, AUTH_DPOP_PRIVATE_KEY: undefined })).toThrow(
      /^Invalid setting AUTH_DPOP_PRIVATE_KEY: production needs the app's DPoP key/,
    );
    const generatedKey = JSON.stringify({ ...ecJwk(), kid: "dev-only-abc" });
    expect(() => parseEnv({ ...deployed, AUTH_DPOP_PRIVATE_KEY: generatedKey })).toThrow(
      /^Invalid setting AUTH_DPOP_PRIVATE_KEY: the generated development key cannot be used in production$/,
    );
  });
});

const required = { AUTH_SECRET: "s".repeat(40), AUTH_CLIENT_SECRET: "client-secret" };

describe("ROLES_CLAIM", () => {
  it("defaults to the claim name in lib/shared/claims.ts and takes a tenant's own namespace", () => {
    expect(parseEnv(required).ROLES_CLAIM).toBe(ROLES_CLAIM);
    expect(parseEnv({ ...required, ROLES_CLAIM: "https://example.org/roles" }).ROLES_CLAIM).toBe(
      "https://example.org/roles",
    );
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
    const source = {
      ...required,
      NODE_ENV: "production",
      APP_URL: "https://app.example",
      AUTH_CLIENT_SECRET: "dev-only-abc",
      AUTH_DPOP_PRIVATE_KEY: dpopKey,
    };
    expect(checkEnv(source).problems).toEqual([
      {
        name: "AUTH_CLIENT_SECRET",
        line: "Invalid setting AUTH_CLIENT_SECRET: the generated development secret cannot be used in production",
      },
    ]);
  });

  it("lists every production refusal, not only the first", () => {
    const source = {
      NODE_ENV: "production",
      APP_URL: "http://app.example",
      AUTH_ISSUER: "http://id.example",
      AUTH_SECRET: "dev-only-0123456789abcdefghijklmnopqrstuv",
      AUTH_CLIENT_SECRET: "dev-only-abc",
      MANAGEMENT_CLIENT_SECRET: "dev-only-def",
    };
    expect(checkEnv(source).problems.map((p) => p.name)).toEqual([
      "AUTH_SECRET",
      "AUTH_CLIENT_SECRET",
      "MANAGEMENT_CLIENT_SECRET",
      "AUTH_DPOP_PRIVATE_KEY",
      "APP_URL",
      "AUTH_ISSUER",
      "MANAGEMENT_AUDIENCE",
    ]);
    expect(() => parseEnv(source)).toThrow(/^Invalid setting AUTH_SECRET: /);
  });

  it("takes an INSTANCE_ID of a few safe characters, and refuses anything else", () => {
    expect(parseEnv({ ...required, INSTANCE_ID: "app-a.1" }).INSTANCE_ID).toBe("app-a.1");
    expect(() => parseEnv({ ...required, INSTANCE_ID: "a b" })).toThrow(/^Invalid setting INSTANCE_ID: /);
  });

  it("finds nothing wrong with good settings", () => {
    expect(checkEnv(required)).toMatchObject({ problems: [], values: { AUTH_ISSUER: "http://localhost:4000" } });
  });
});
