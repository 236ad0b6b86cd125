import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROLES_CLAIM } from "./claims";
import {
  DEFAULT_API_AUDIENCE,
  DEFAULT_APP_URL,
  defaultDatabaseUrl,
  developmentSecretRefusals,
  isDeployed,
  isDevelopmentSecret,
  isLoopbackUrl,
  needsHttps,
  rolesClaimSetting,
  withEnvFile,
} from "./settings";

describe("isLoopbackUrl", () => {
  it.each([
    "http://localhost:3000",
    "http://localhost",
    "https://localhost/",
    "http://127.0.0.1:4000",
    "http://127.1:4000",
    "http://127.9.9.9",
    "http://[::1]:3000",
    "http://[0:0:0:0:0:0:0:1]/",
  ])("finds %s on this machine", (url) => expect(isLoopbackUrl(url)).toBe(true));

  it.each([
    "http://localhost.evil.example",
    "http://localhost@evil.example",
    "http://localhost:3000@evil.example/",
    "http://127.0.0.1.nip.io",
    "http://evil.example/http://localhost",
    "http://localhostevil.example",
    "http://128.0.0.1",
    "https://app.example.com",
    "not a url",
  ])("finds %s elsewhere", (url) => expect(isLoopbackUrl(url)).toBe(false));
});

describe("the production rules", () => {
  it("counts as deployed only production off loopback", () => {
    expect(isDeployed("production", "https://app.example.com")).toBe(true);
    expect(isDeployed("production", "http://localhost.evil.example")).toBe(true);
    expect(isDeployed("production", "http://localhost:3000")).toBe(false);
    expect(isDeployed("development", "https://app.example.com")).toBe(false);
  });

  it("needs https in production, except on loopback", () => {
    expect(needsHttps("production", "http://app.example.com")).toBe(true);
    expect(needsHttps("production", "http://localhost@evil.example")).toBe(true);
    expect(needsHttps("production", "https://app.example.com")).toBe(false);
    expect(needsHttps("production", "http://127.0.0.1:4000")).toBe(false);
    expect(needsHttps("test", "http://app.example.com")).toBe(false);
  });

  it("knows the generated development secrets", () => {
    expect(isDevelopmentSecret("dev-only-abc")).toBe(true);
    expect(isDevelopmentSecret("a-real-secret")).toBe(false);
  });

  it("refuses the development secrets it is given, by name, only when deployed", () => {
    const secrets = {
      A_SECRET: "dev-only-abc",
      B_SECRET: "a-real-secret",
      C_SECRET: undefined,
      D_SECRET: "dev-only-d",
    };
    expect(developmentSecretRefusals("production", "https://app.example.com", secrets)).toEqual([
      {
        name: "A_SECRET",
        line: "Invalid setting A_SECRET: the generated development secret cannot be used in production",
      },
      {
        name: "D_SECRET",
        line: "Invalid setting D_SECRET: the generated development secret cannot be used in production",
      },
    ]);
    expect(developmentSecretRefusals("production", "http://localhost:3000", secrets)).toEqual([]);
    expect(developmentSecretRefusals("development", "https://app.example.com", secrets)).toEqual([]);
  });
});

describe("ROLES_CLAIM and the default URLs", () => {
  it("defaults the roles claim to Claimtrip's namespace and keeps a URL-like one", () => {
    expect(rolesClaimSetting.parse(undefined)).toBe(ROLES_CLAIM);
    expect(rolesClaimSetting.parse("https://example.org/roles")).toBe("https://example.org/roles");
  });

  it.each(["roles", "sub", "https://tenant.auth0.com/roles", ""])(
    "refuses %j as the roles claim, saying why",
    (name) => {
      const result = rolesClaimSetting.safeParse(name);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/namespace|registered|non-empty/);
    },
  );

  it("puts the API under the app's origin", () => {
    expect(DEFAULT_API_AUDIENCE).toBe(`${DEFAULT_APP_URL}/api`);
  });
});

describe("settings files", () => {
  it("defaults the database to prisma/dev.db under the root, as an absolute file: URL", () => {
    expect(defaultDatabaseUrl("/srv/claimtrip")).toBe("file:/srv/claimtrip/prisma/dev.db");
  });

  it("reads .env.local under the environment: what the environment sets wins, a missing file is no error", () => {
    const dir = mkdtempSync(join(tmpdir(), "claimtrip-settings-"));
    try {
      const file = join(dir, ".env.local");
      writeFileSync(file, "A=from-file\nB=from-file\n");
      expect(withEnvFile({ B: "from-env", C: "from-env", D: undefined }, file)).toEqual({
        A: "from-file",
        B: "from-env",
        C: "from-env",
      });
      expect(withEnvFile({ C: "x" }, join(dir, "missing"))).toEqual({ C: "x" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
