/**
 * The sign-in callback's own checks (lib/auth/provider.ts: `checks: ["pkce", "state", "nonce"]`),
 * as the app runs them: the real Auth.js route (app/api/auth/[...nextauth]/route.ts) with the
 * app's settings and a migrated SQLite database, against the tests' fake OpenID Provider
 * (test/fake-op.ts), whose token endpoint issues an ID token with whatever `nonce` a test asks for.
 *
 * A "browser" here is a cookie jar: it starts a sign-in, follows the redirect to the provider,
 * and comes back to the callback with the provider's code. An honest round trip signs in; a
 * callback with a state this browser did not start, or an ID token with a nonce it did not ask
 * for, ends on the error page with no session.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { base64url } from "jose";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";

import { createDpopKeyJson } from "@/test/dpop";
import { startFakeOp, type FakeOp } from "@/test/fake-op";
import { CLIENT_ID, createTestKey } from "@/test/tokens";
import { migrate } from "@/scripts/migrate";

const APP_URL = "http://localhost:3000";
const CLIENT_SECRET = "callback-test-client-secret";
const REDIRECT_URI = `${APP_URL}/api/auth/callback/claimtrip`;
const SESSION_COOKIE = "authjs.session-token";

const s256 = (verifier: string) => base64url.encode(createHash("sha256").update(verifier).digest());

/** A browser's cookies for the app: what Set-Cookie put there, minus what it cleared. */
class CookieJar {
  private cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      if (!value || /;\s*max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

type AuthRoute = typeof import("@/app/api/auth/[...nextauth]/route");
type Database = typeof import("@/lib/db").db;

let op: FakeOp;
let dir: string;
let route: AuthRoute;
let db: Database;
let authErrors: MockInstance<(error: Error) => void>;

beforeAll(async () => {
  op = await startFakeOp({
    keys: [await createTestKey("RS256")],
    client: { secret: CLIENT_SECRET, redirectUri: REDIRECT_URI },
  });
  dir = mkdtempSync(join(tmpdir(), "claimtrip-callback-"));
  const databaseUrl = `file:${join(dir, "app.db")}`;
  await migrate(databaseUrl);
  const settings: Record<string, string | undefined> = {
    NODE_ENV: "test",
    APP_URL,
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: "callback-test-auth-secret-0123456789abcdef",
    AUTH_ISSUER: op.issuer,
    AUTH_CLIENT_ID: CLIENT_ID,
    AUTH_CLIENT_SECRET: CLIENT_SECRET,
    AUTH_SCOPE: "openid profile email",
    AUTH_AUDIENCE_PARAM: "none",
    // The app has a DPoP key, and this IdP does not advertise DPoP: the app asks for Bearer tokens.
    AUTH_DPOP_PRIVATE_KEY: await createDpopKeyJson(),
    LOG_LEVEL: "error",
    // lib/env.ts derives AUTH_URL when unset; stubbing it restores the absence afterwards.
    AUTH_URL: undefined,
  };
  for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
  vi.resetModules();
  // lib/env.ts reads the settings once, on first use: everything below sees the ones above.
  route = await import("@/app/api/auth/[...nextauth]/route");
  ({ db } = await import("@/lib/db"));
  // Auth.js hands every refusal to the app's logger; keep them, to tell which check refused.
  const { authLogger } = await import("./log-events");
  authErrors = vi.spyOn(authLogger, "error").mockImplementation(() => {});
});

afterAll(async () => {
  await db?.$disconnect();
  delete (globalThis as { claimtripDb?: unknown }).claimtripDb;
  vi.unstubAllEnvs();
  vi.resetModules();
  await op?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  op.reset();
  authErrors.mockClear();
});

interface SignIn {
  jar: CookieJar;
  /** The authorization request Auth.js sent the browser to. */
  authorization: URL;
  state: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  /** Where the provider sent the browser back: the callback, with `code`, `state` and `iss`. */
  callback: URL;
}

/** A browser starts a sign-in at the app, and the provider approves it at once. */
async function signInAtProvider(callbackUrl = "/dashboard"): Promise<SignIn> {
  const jar = new CookieJar();
  const csrf = await route.GET(new NextRequest(`${APP_URL}/api/auth/csrf`));
  jar.store(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };

  const start = await route.POST(
    new NextRequest(`${APP_URL}/api/auth/signin/claimtrip`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
      body: new URLSearchParams({ csrfToken, callbackUrl }).toString(),
    }),
  );
  expect(start.status).toBe(302);
  jar.store(start);
  const authorization = new URL(start.headers.get("location") ?? "");
  expect(authorization.origin + authorization.pathname).toBe(`${op.issuer}/authorize`);

  const approved = await fetch(authorization, { redirect: "manual" });
  expect(approved.status).toBe(302);
  return {
    jar,
    authorization,
    state: authorization.searchParams.get("state"),
    nonce: authorization.searchParams.get("nonce"),
    codeChallenge: authorization.searchParams.get("code_challenge"),
    callback: new URL(approved.headers.get("location") ?? ""),
  };
}

/** The browser arrives at the app's callback with `url`, carrying `jar`'s cookies. */
async function arrive(url: URL, jar: CookieJar): Promise<Response> {
  const response = await route.GET(new NextRequest(url, { headers: { cookie: jar.header() } }));
  jar.store(response);
  return response;
}

/** The same URL with one query parameter replaced (or removed, with `null`). */
function withParam(url: URL, name: string, value: string | null): URL {
  const out = new URL(url);
  if (value === null) out.searchParams.delete(name);
  else out.searchParams.set(name, value);
  return out;
}

/** `value` with one character in the middle changed. */
function alterOneCharacter(value: string): string {
  const at = Math.floor(value.length / 2);
  return value.slice(0, at) + (value[at] === "A" ? "B" : "A") + value.slice(at + 1);
}

/** What the refusal Auth.js logged says, cause included (its messages name the failed check). */
function refusal(): string {
  expect(authErrors).toHaveBeenCalledTimes(1);
  const error = authErrors.mock.calls[0]?.[0] as Error & { cause?: { err?: Error } };
  return `${error.message} / ${error.cause?.err?.message ?? ""}`;
}

/** The callback ended on the app's error page, with no session cookie and no new session row. */
async function expectRefused(response: Response, jar: CookieJar, sessionsBefore: number): Promise<void> {
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location") ?? "", APP_URL);
  expect(location.origin + location.pathname).toBe(`${APP_URL}/auth/error`);
  expect(response.headers.getSetCookie().filter((line) => line.startsWith(`${SESSION_COOKIE}=`))).toEqual([]);
  expect(jar.get(SESSION_COOKIE)).toBeUndefined();
  expect(await db.session.count()).toBe(sessionsBefore);
}

describe("the sign-in callback (control)", () => {
  it("signs in when state, PKCE and nonce all match: a session row, its cookie, and the callbackUrl", async () => {
    const sessionsBefore = await db.session.count();
    const signIn = await signInAtProvider("/dashboard");
    expect(signIn.state).toBeTruthy();
    expect(signIn.nonce).toBeTruthy();

    const response = await arrive(signIn.callback, signIn.jar);

    expect(authErrors).not.toHaveBeenCalled();
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${APP_URL}/dashboard`);
    const sessionToken = signIn.jar.get(SESSION_COOKIE);
    expect(sessionToken).toBeTruthy();
    const session = await db.session.findUnique({ where: { sessionToken }, include: { user: true, tokens: true } });
    expect(session?.user.email).toBe("alice@example.com");
    expect(await db.session.count()).toBe(sessionsBefore + 1);
    expect(op.tokenRequests).toHaveLength(1);
    // An IdP without DPoP in its discovery document gets no proof, and the tokens are Bearer ones.
    expect(op.tokenRequests[0]?.dpop).toBeNull();
    // The sign-in's tokens are this session's own, not the account's.
    expect(session?.tokens?.tokenType?.toLowerCase()).toBe("bearer");
    expect(session?.tokens?.accessToken).toBeTruthy();
  });

  it("sends the token endpoint the code_verifier whose S256 is the code_challenge it sent at the start", async () => {
    const signIn = await signInAtProvider();
    expect(signIn.authorization.searchParams.get("code_challenge_method")).toBe("S256");
    expect(signIn.codeChallenge).toMatch(/^[\w-]{43}$/);

    await arrive(signIn.callback, signIn.jar);

    expect(op.tokenRequests).toHaveLength(1);
    const sent = op.tokenRequests[0]!;
    expect(sent.codeChallenge).toBe(signIn.codeChallenge);
    expect(sent.codeChallengeMethod).toBe("S256");
    expect(sent.codeVerifier).toMatch(/^[\w.~-]{43,128}$/);
    expect(s256(sent.codeVerifier ?? "")).toBe(signIn.codeChallenge);
    // The verifier travelled only in the encrypted cookie, never in the browser's URLs.
    expect(signIn.authorization.toString()).not.toContain(sent.codeVerifier);
    expect(signIn.jar.header()).not.toContain(sent.codeVerifier);
  });
});

describe("the sign-in callback refuses a state this browser did not start", () => {
  it("refuses a state with one character altered, before redeeming the code", async () => {
    const sessionsBefore = await db.session.count();
    const signIn = await signInAtProvider();
    const state = signIn.callback.searchParams.get("state") ?? "";

    const response = await arrive(withParam(signIn.callback, "state", alterOneCharacter(state)), signIn.jar);

    await expectRefused(response, signIn.jar, sessionsBefore);
    expect(op.tokenRequests).toEqual([]);
    expect(refusal()).toMatch(/"state"/);
  });

  it("refuses a callback without a state, before redeeming the code", async () => {
    const sessionsBefore = await db.session.count();
    const signIn = await signInAtProvider();

    const response = await arrive(withParam(signIn.callback, "state", null), signIn.jar);

    await expectRefused(response, signIn.jar, sessionsBefore);
    expect(op.tokenRequests).toEqual([]);
    expect(refusal()).toMatch(/"state"/);
  });

  it("refuses another sign-in's code and state in this browser (login CSRF), before redeeming the code", async () => {
    const sessionsBefore = await db.session.count();
    const attacker = await signInAtProvider();
    const victim = await signInAtProvider();

    // The attacker's own, honest callback URL, opened in the victim's browser.
    const response = await arrive(attacker.callback, victim.jar);

    await expectRefused(response, victim.jar, sessionsBefore);
    expect(op.tokenRequests).toEqual([]);
    expect(refusal()).toMatch(/"state"/);
  });
});

describe("the sign-in callback refuses an ID token issued for another nonce", () => {
  it("refuses an ID token whose nonce has one character altered", async () => {
    const sessionsBefore = await db.session.count();
    const signIn = await signInAtProvider();
    // Half the defence is asking for a nonce: without one in the request, Auth.js refuses any ID
    // token that carries a nonce at all, so this test would pass with the check switched off.
    expect(signIn.nonce).toMatch(/^[\w-]{20,}$/);
    op.nonceFor = (requested) => alterOneCharacter(requested ?? "");

    const response = await arrive(signIn.callback, signIn.jar);

    await expectRefused(response, signIn.jar, sessionsBefore);
    expect(op.tokenRequests).toHaveLength(1);
    expect(refusal()).toMatch(/"nonce"/);
  });

  it("refuses an ID token that carries another sign-in's nonce (a replayed ID token)", async () => {
    const sessionsBefore = await db.session.count();
    const other = await signInAtProvider();
    const signIn = await signInAtProvider();
    expect(other.nonce).toBeTruthy();
    expect(other.nonce).not.toBe(signIn.nonce);
    op.nonceFor = () => other.nonce ?? "";

    const response = await arrive(signIn.callback, signIn.jar);

    await expectRefused(response, signIn.jar, sessionsBefore);
    expect(op.tokenRequests).toHaveLength(1);
    expect(refusal()).toMatch(/"nonce"/);
  });

  it("refuses an ID token without a nonce", async () => {
    const sessionsBefore = await db.session.count();
    const signIn = await signInAtProvider();
    op.nonceFor = () => undefined;

    const response = await arrive(signIn.callback, signIn.jar);

    await expectRefused(response, signIn.jar, sessionsBefore);
    expect(op.tokenRequests).toHaveLength(1);
    expect(refusal()).toMatch(/"nonce"/);
  });
});

describe("a callback that reports an error", () => {
  // Anyone can send a victim to the callback with any error text: the page must not repeat it.
  const lure = "Your account is locked. Call +1 555 0100 and give us your password";

  it.each([
    ["access_denied", "access_denied"],
    ["server_error", "OAuthCallbackError"],
    ["<b>bold</b>", "OAuthCallbackError"],
  ])("sends %j to the error page with the fixed code %j, and nothing of its description", async (error, code) => {
    const url = new URL(`${APP_URL}/api/auth/callback/claimtrip`);
    url.search = new URLSearchParams({ error, error_description: lure, state: "anything" }).toString();

    const response = await route.GET(new NextRequest(url));

    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe(`${APP_URL}/auth/error`);
    expect([...location.searchParams]).toEqual([["error", code]]);
    expect(decodeURIComponent(location.href)).not.toContain("Call +1");
  });
});

describe("the IdP session behind each app session (back-channel logout)", () => {
  it("records the ID token's sid on the session each sign-in creates, and none when the IdP sent none", async () => {
    const sessionOf = async (sid: string | undefined) => {
      op.sid = sid;
      const signIn = await signInAtProvider();
      expect((await arrive(signIn.callback, signIn.jar)).status).toBe(302);
      const sessionToken = signIn.jar.get(SESSION_COOKIE);
      expect(sessionToken).toBeTruthy();
      return db.session.findUnique({ where: { sessionToken } });
    };

    const first = await sessionOf("idp-session-1");
    const second = await sessionOf("idp-session-2");
    const none = await sessionOf(undefined);

    expect(first?.sid).toBe("idp-session-1");
    expect(second?.sid).toBe("idp-session-2");
    expect(none?.sid).toBeNull();
    // Sessions of one user from two browsers: each keeps its own IdP session.
    expect(first?.userId).toBe(second?.userId);
  });
});
