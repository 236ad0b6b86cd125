import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { ensureSecrets } from "./setup.ts";

const dirs: string[] = [];
function envFile(content?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "claimtrip-setup-"));
  dirs.push(dir);
  const file = join(dir, ".env.local");
  if (content !== undefined) writeFileSync(file, content);
  return file;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("ensureSecrets", () => {
  it("writes each client secret once, the same value for the app and the IdP", () => {
    const file = envFile();
    ensureSecrets(file);
    const env = parseEnv(readFileSync(file, "utf8"));
    expect(env.MANAGEMENT_CLIENT_SECRET).toMatch(/^dev-only-.{40,}$/);
    expect(env.IDP_MANAGEMENT_CLIENT_SECRET).toBe(env.MANAGEMENT_CLIENT_SECRET);
    expect(env.IDP_WEB_CLIENT_SECRET).toBe(env.AUTH_CLIENT_SECRET);
    expect(env.MANAGEMENT_CLIENT_SECRET).not.toBe(env.AUTH_CLIENT_SECRET);
  });

  it("adds the management pair to an older .env.local and keeps what is there", () => {
    const file = envFile("AUTH_SECRET=a\nAUTH_CLIENT_SECRET=b\nIDP_WEB_CLIENT_SECRET=b\nIDP_COOKIE_KEYS=c\n");
    expect(ensureSecrets(file)).toEqual([
      "MANAGEMENT_CLIENT_SECRET",
      "IDP_MANAGEMENT_CLIENT_SECRET",
      "AUTH_DPOP_PRIVATE_KEY",
    ]);
    expect(ensureSecrets(file)).toEqual([]);
    const env = parseEnv(readFileSync(file, "utf8"));
    expect(env).toMatchObject({ AUTH_SECRET: "a", AUTH_CLIENT_SECRET: "b" });
    expect(env.IDP_MANAGEMENT_CLIENT_SECRET).toBe(env.MANAGEMENT_CLIENT_SECRET);
  });

  it("writes the app's DPoP key: an EC P-256 private JWK whose kid marks it as generated", () => {
    const file = envFile();
    ensureSecrets(file);
    const jwk = JSON.parse(parseEnv(readFileSync(file, "utf8")).AUTH_DPOP_PRIVATE_KEY ?? "");
    expect(jwk).toMatchObject({
      kty: "EC",
      crv: "P-256",
      d: expect.any(String),
      kid: expect.stringMatching(/^dev-only-/),
    });
  });

  it("refuses to write half of a pair", () => {
    const file = envFile("MANAGEMENT_CLIENT_SECRET=only-the-app-side\n");
    expect(() => ensureSecrets(file)).toThrow(/only one of MANAGEMENT_CLIENT_SECRET and IDP_MANAGEMENT_CLIENT_SECRET/);
  });
});
