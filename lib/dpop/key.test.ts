/**
 * The app's DPoP key from its setting, and the rotation rule: a token bound to another key than
 * the current one is refreshed before the API call, instead of being sent to certain refusal.
 */
import { base64url } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { createDpopKey, createDpopKeyJson } from "../../test/dpop";
import { importDpopKey } from "./proof";

let key: typeof import("./key");
let json: string;

beforeAll(async () => {
  json = await createDpopKeyJson();
  vi.stubEnv("AUTH_SECRET", "dpop-key-test-secret-0123456789abcdefgh");
  vi.stubEnv("AUTH_CLIENT_SECRET", "dpop-key-test-client-secret");
  vi.stubEnv("AUTH_DPOP_PRIVATE_KEY", json);
  vi.stubEnv("AUTH_URL", undefined);
  vi.resetModules();
  key = await import("./key");
});
afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

const tokenWith = (claims: Record<string, unknown>) =>
  `${base64url.encode(JSON.stringify({ alg: "RS256", typ: "at+jwt" }))}.${base64url.encode(JSON.stringify(claims))}.sig`;

describe("the app's DPoP key", () => {
  it("is read from AUTH_DPOP_PRIVATE_KEY, public half and thumbprint included", async () => {
    const loaded = await key.appDpopKey();
    expect(loaded?.thumbprint).toBe((await importDpopKey(json)).thumbprint);
    expect(loaded?.publicJwk).not.toHaveProperty("d");
  });

  it("tells a token bound to it from one bound to a rotated-out key", async () => {
    const current = await key.appDpopKey();
    const old = await createDpopKey();
    expect(await key.boundToAppKey(tokenWith({ cnf: { jkt: current?.thumbprint } }))).toBe(true);
    expect(await key.boundToAppKey(tokenWith({ cnf: { jkt: old.thumbprint } }))).toBe(false);
    expect(await key.boundToAppKey("opaque-token")).toBe(true);
  });
});

describe("importDpopKey", () => {
  it.each([
    ["not JSON", "{"],
    ["a public key", JSON.stringify({ kty: "EC", crv: "P-256", x: "x", y: "y" })],
    ["an RSA key", JSON.stringify({ kty: "RSA", n: "n", e: "AQAB", d: "d" })],
  ])("refuses %s, without echoing it", async (_name, value) => {
    await expect(importDpopKey(value)).rejects.toThrow(/^expected a(n EC P-256 private)? JSON Web Key/);
  });
});
