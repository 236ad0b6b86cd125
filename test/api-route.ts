/**
 * Test support for the API route handlers (app/api/*): a local token issuer on an ephemeral port,
 * a temporary SQLite database migrated with the project's migrations, and the web app's settings
 * pointed at both, so a test can `await import("./route")` and call its `GET` with a real,
 * unmocked verifier (lib/api/guard.ts builds it from lib/env.ts at import time).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect, vi } from "vitest";

import { startFakeOp, type FakeOp } from "./fake-op";
import { AUDIENCE, createTestKey, mintAccessToken, type MintOptions, type TestKey } from "./tokens";
import { migrate } from "../scripts/migrate.ts";

export interface RouteHarness {
  idp: FakeOp;
  /** The issuer's signing key (RS256), published at its JWKS. */
  key: TestKey;
  databaseUrl: string;
  /** An honest access token for the API, from this issuer; claims and header can be overridden. */
  mint(options?: Omit<MintOptions, "issuer">): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the issuer and database and sets the web app's settings (restored by `close`). Call it
 * before importing a route module: lib/env.ts reads the settings once, on first use (route modules use them as they load).
 */
export async function startRouteHarness(extra: Record<string, string> = {}): Promise<RouteHarness> {
  const key = await createTestKey("RS256");
  const idp = await startFakeOp({ keys: [key] });
  const dir = mkdtempSync(join(tmpdir(), "claimtrip-api-"));
  const databaseUrl = `file:${join(dir, "app.db")}`;
  await migrate(databaseUrl);

  const settings: Record<string, string | undefined> = {
    NODE_ENV: "test",
    AUTH_SECRET: "route-test-auth-secret-0123456789abcdef",
    AUTH_CLIENT_SECRET: "route-test-client-secret",
    AUTH_ISSUER: idp.issuer,
    API_AUDIENCE: AUDIENCE,
    DATABASE_URL: databaseUrl,
    // Refusals are logged at info; keep fuzzing runs quiet but still print any server error.
    LOG_LEVEL: "warn",
    API_ALGORITHMS: undefined,
    API_TOKEN_TYP: undefined,
    // lib/env.ts derives AUTH_URL when unset; stubbing it restores the absence afterwards.
    AUTH_URL: undefined,
    ROLES_CLAIM: undefined,
    ...extra,
  };
  for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
  vi.resetModules();

  return {
    idp,
    key,
    databaseUrl,
    mint: (options = {}) => mintAccessToken(key, { issuer: idp.issuer, ...options }),
    async close() {
      const cached = globalThis as { claimtripDb?: { $disconnect(): Promise<void> } };
      await cached.claimtripDb?.$disconnect();
      delete cached.claimtripDb;
      vi.unstubAllEnvs();
      vi.resetModules();
      await idp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A GET to an API route with these Authorization values (repeated headers when several). */
export function apiRequest(path: string, authorization?: string | readonly string[], init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  for (const value of [authorization ?? []].flat()) headers.append("authorization", value);
  return new Request(new URL(path, "http://localhost:3000"), { ...init, headers });
}

/**
 * Asserts an RFC 6750 refusal: the status, a `Bearer error="…"` challenge (for 4xx), or a bare one
 * when `bare` (no credentials, RFC 6750 §3.1; `"either"` for a fuzzer that cannot tell), a JSON
 * body of exactly `{ error, error_description }`, `no-store`, no stack trace, and none of `sent`.
 */
export async function expectBearerRefusal(
  response: Response,
  expected: { status: number; error: string; bare?: boolean | "either" },
  sent: readonly string[] = [],
): Promise<void> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status: expected.status });
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("content-type")).toBe("application/json");
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
  expect(body.error).toBe(expected.error);
  // API_DPOP=allowed (the default): a challenge per scheme, the one the request used (and the
  // error) first (RFC 9449 §7.1).
  const metadata = 'resource_metadata="http://localhost:3000/.well-known/oauth-protected-resource/api"';
  const realm = 'realm="http://localhost:3000/api"';
  const error = `error="${expected.error}", error_description="[^"]+"`;
  const bearerFirst = `Bearer ${error}, ${realm}, ${metadata}, DPoP ${realm}, algs="[^"]+", ${metadata}`;
  const dpopFirst = `DPoP ${error}, ${realm}, algs="[^"]+", ${metadata}, Bearer ${realm}, ${metadata}`;
  const bare = `Bearer ${realm}, ${metadata}, DPoP ${realm}, algs="[^"]+", ${metadata}`;
  const challenges =
    expected.bare === "either" ? [bearerFirst, dpopFirst, bare] : expected.bare ? [bare] : [bearerFirst, dpopFirst];
  expect(response.headers.get("www-authenticate")).toMatch(new RegExp(`^(${challenges.join("|")})$`));
  const everything = [text, ...[...response.headers].map(([name, value]) => `${name}: ${value}`)].join("\n");
  expect(everything).not.toMatch(/\bat\s+\S+\s+\(|\bat\s+\S+:\d+:\d+|node_modules|\.ts:\d+|\w*Error:\s/);
  for (const piece of sent.flatMap((value) => value.split(/[\s.,]+/)).filter((piece) => piece.length >= 16)) {
    expect(everything).not.toContain(piece);
  }
}
