import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { issuerPort, loadSettings, parseSettings, SettingsError } from "./env.ts";

const secrets = { IDP_WEB_CLIENT_SECRET: "s".repeat(24), IDP_COOKIE_KEYS: "k".repeat(24) };

describe("settings", () => {
  it("has defaults for a fresh clone", () => {
    const settings = parseSettings(secrets);
    expect(settings).toMatchObject({
      IDP_ISSUER: "http://localhost:4000",
      APP_URL: "http://localhost:3000",
      API_AUDIENCE: "http://localhost:3000/api",
      IDP_ACCESS_TOKEN_TTL: 300,
      IDP_TRUST_PROXY_HOPS: 0,
      NODE_ENV: "development",
    });
    expect(settings.DATABASE_URL).toMatch(/^file:\/.*prisma\/dev\.db$/);
    expect(issuerPort(settings)).toBe(4000);
  });

  it.each([
    [{ IDP_ISSUER: "localhost:4000" }, /^Invalid setting IDP_ISSUER: /],
    [{ IDP_ISSUER: "bad" }, /^Invalid setting IDP_ISSUER: expected an http\(s\) URL$/],
    [{ IDP_ISSUER: "http://localhost:4000/oidc" }, /^Invalid setting IDP_ISSUER: expected an origin/],
    [{ IDP_ACCESS_TOKEN_TTL: "five" }, /^Invalid setting IDP_ACCESS_TOKEN_TTL: expected a whole number of seconds$/],
    [{ DATABASE_URL: "mysql://x" }, /^Invalid setting DATABASE_URL: expected file:/],
    [{ IDP_COOKIE_KEYS: "short" }, /^Invalid setting IDP_COOKIE_KEYS: /],
    [{ IDP_WEB_CLIENT_SECRET: undefined }, /^Invalid setting IDP_WEB_CLIENT_SECRET: .*npm run setup/],
    [
      { IDP_MANAGEMENT_CLIENT_SECRET: "short" },
      /^Invalid setting IDP_MANAGEMENT_CLIENT_SECRET: expected at least 16 characters/,
    ],
    [{ IDP_TRUST_PROXY_HOPS: "yes" }, /^Invalid setting IDP_TRUST_PROXY_HOPS: expected a whole number of proxies/],
    [{ IDP_TRUST_PROXY_HOPS: "-1" }, /^Invalid setting IDP_TRUST_PROXY_HOPS: expected 0 or more proxies$/],
  ])("stops on %o with one line naming the variable", (bad, message) => {
    const run = () => parseSettings({ ...secrets, ...bad });
    expect(run).toThrow(SettingsError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (error) {
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("takes the roles claim's name from ROLES_CLAIM, refusing one that is not a URL-like namespace", () => {
    expect(parseSettings(secrets).ROLES_CLAIM).toBe("https://claimtrip.example/roles");
    expect(parseSettings({ ...secrets, ROLES_CLAIM: "https://tenant.example/roles" }).ROLES_CLAIM).toBe(
      "https://tenant.example/roles",
    );
    expect(() => parseSettings({ ...secrets, ROLES_CLAIM: "roles" })).toThrow(
      /^Invalid setting ROLES_CLAIM: "roles" is not namespaced/,
    );
    expect(() => parseSettings({ ...secrets, ROLES_CLAIM: "https://x.auth0.com/roles" })).toThrow(
      /^Invalid setting ROLES_CLAIM: .*reserves/,
    );
  });

  it("refuses the development secrets in a deployed production IdP", () => {
    const production = { NODE_ENV: "production", IDP_ISSUER: "https://id.example.com" };
    expect(() =>
      parseSettings({ ...secrets, ...production, IDP_WEB_CLIENT_SECRET: "dev-only-0123456789abcdef" }),
    ).toThrow(/IDP_WEB_CLIENT_SECRET: the generated development secret/);
    expect(() =>
      parseSettings({ ...secrets, ...production, IDP_COOKIE_KEYS: "dev-only-0123456789abcdef0123456789" }),
    ).toThrow(/IDP_COOKIE_KEYS/);
    expect(() =>
      parseSettings({ ...secrets, ...production, IDP_MANAGEMENT_CLIENT_SECRET: "dev-only-0123456789abcdef" }),
    ).toThrow(/IDP_MANAGEMENT_CLIENT_SECRET: the generated development secret/);
    const strong = { IDP_WEB_CLIENT_SECRET: "p".repeat(40), IDP_COOKIE_KEYS: "q".repeat(40) };
    expect(() => parseSettings({ ...strong, ...production, IDP_ISSUER: "http://id.example.com" })).toThrow(
      /IDP_ISSUER: production needs an https/,
    );
    expect(() => parseSettings({ ...strong, ...production })).not.toThrow();
    // `npm start` on a laptop: production mode against localhost keeps working.
    expect(() =>
      parseSettings({ ...secrets, NODE_ENV: "production", IDP_WEB_CLIENT_SECRET: "dev-only-0123456789abcdef" }),
    ).not.toThrow();
  });

  it.each(["https://localhost.evil.example", "https://localhost@evil.example"])(
    "finds %s deployed, by its parsed hostname: no development secrets",
    (IDP_ISSUER) => {
      const run = () =>
        parseSettings({
          ...secrets,
          NODE_ENV: "production",
          IDP_ISSUER,
          IDP_WEB_CLIENT_SECRET: "dev-only-0123456789abcdef",
        });
      expect(run).toThrow(/^Invalid setting IDP_WEB_CLIENT_SECRET: the generated development secret/);
    },
  );

  it("needs an https APP_URL in production, except on loopback", () => {
    const strong = {
      IDP_WEB_CLIENT_SECRET: "p".repeat(40),
      IDP_COOKIE_KEYS: "q".repeat(40),
      IDP_ISSUER: "https://id.example.com",
    };
    expect(() => parseSettings({ ...strong, NODE_ENV: "production", APP_URL: "http://app.example.com" })).toThrow(
      /^Invalid setting APP_URL: production needs an https/,
    );
    expect(() => parseSettings({ ...strong, NODE_ENV: "production", APP_URL: "http://localhost:3000" })).not.toThrow();
  });

  it("reads .env.local without overriding the environment", () => {
    const dir = mkdtempSync(join(tmpdir(), "claimtrip-env-"));
    try {
      const file = join(dir, ".env.local");
      writeFileSync(
        file,
        `IDP_WEB_CLIENT_SECRET=${"f".repeat(20)}\nIDP_COOKIE_KEYS=${"c".repeat(20)},${"d".repeat(20)}\nIDP_ACCESS_TOKEN_TTL=120\n`,
      );
      const settings = loadSettings({ IDP_ACCESS_TOKEN_TTL: "600" }, file);
      expect(settings.IDP_WEB_CLIENT_SECRET).toBe("f".repeat(20));
      expect(settings.IDP_COOKIE_KEYS).toHaveLength(2);
      expect(settings.IDP_ACCESS_TOKEN_TTL).toBe(600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
