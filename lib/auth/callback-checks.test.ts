/**
 * The sign-in callback's own checks (lib/auth/provider.ts: `checks: ["pkce", "state", "nonce"]`),
 * as the app runs them: the real Auth.js route (app/api/auth/[...nextauth]/route.ts) with the
 * app's settings and a migrated SQLite database, against a fake OpenID Provider on an ephemeral
 * port whose token endpoint issues an ID token with whatever `nonce` a test asks for.
 *
 * A "browser" here is a cookie jar: it starts a sign-in, follows the redirect to the provider,
 * and comes back to the callback with the provider's code. An honest round trip signs in; a
 * callback with a state this browser did not start, or an ID token with a nonce it did not ask
 * for, ends on the error page with no session.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { base64url, SignJWT } from "jose";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";

import { createTestKey, mintAccessToken, type TestKey } from "@/lib/resource-server/test-issuer";
import { migrate } from "@/scripts/migrate";

const APP_URL = "http://localhost:3000";
const CLIENT_ID = "claimtrip-web";
const CLIENT_SECRET = "callback-test-client-secret";
const REDIRECT_URI = `${APP_URL}/api/auth/callback/claimtrip`;
const SESSION_COOKIE = "authjs.session-token";

/** What the fake provider saw at its token endpoint. */
interface TokenRequest {
  code: string;
  codeVerifier: string | null;
  /** The code_challenge the same sign-in sent to the authorization endpoint. */
  codeChallenge: string;
  codeChallengeMethod: string | null;
}

/**
 * A minimal OpenID Provider: discovery, JWKS, an authorization endpoint that approves at once
 * (echoing `state`, remembering `nonce` and the PKCE challenge under a new code), and a token
 * endpoint that checks client, code, redirect_uri and PKCE like a real one, then answers with an
 * RS256 ID token whose `nonce` comes from `nonceFor` (by default: the one the request carried).
 */
class FakeOp {
  issuer = "";
  key!: TestKey;
  tokenRequests: TokenRequest[] = [];
  nonceFor: (requested: string | undefined) => string | undefined = (requested) => requested;
  private grants = new Map<string, { redirectUri: string; nonce?: string; codeChallenge: string; method: string | null }>();
  private server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<void> {
    this.key = await createTestKey("RS256");
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.closeAllConnections();
      this.server.close((error) => (error ? reject(error) : resolve()));
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.issuer);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
    };
    switch (url.pathname) {
      case "/.well-known/openid-configuration":
        return json(200, {
          issuer: this.issuer,
          authorization_endpoint: `${this.issuer}/authorize`,
          token_endpoint: `${this.issuer}/token`,
          userinfo_endpoint: `${this.issuer}/userinfo`,
          jwks_uri: `${this.issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
          authorization_response_iss_parameter_supported: true,
        });
      case "/jwks":
        return json(200, { keys: [this.key.jwk] });
      case "/authorize":
        return this.authorize(url, res);
      case "/token": {
        let body = "";
        for await (const chunk of req) body += chunk;
        return this.token(req, new URLSearchParams(body), json);
      }
      default:
        res.writeHead(404).end();
    }
  }

  private authorize(url: URL, res: ServerResponse): void {
    const params = url.searchParams;
    const redirectUri = params.get("redirect_uri");
    const codeChallenge = params.get("code_challenge");
    if (params.get("client_id") !== CLIENT_ID || redirectUri !== REDIRECT_URI || params.get("response_type") !== "code" || !codeChallenge) {
      res.writeHead(400).end();
      return;
    }
    const code = base64url.encode(randomBytes(24));
    this.grants.set(code, {
      redirectUri,
      nonce: params.get("nonce") ?? undefined,
      codeChallenge,
      method: params.get("code_challenge_method"),
    });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    const state = params.get("state");
    if (state !== null) back.searchParams.set("state", state);
    back.searchParams.set("iss", this.issuer);
    res.writeHead(302, { location: back.toString() }).end();
  }

  private async token(req: IncomingMessage, form: URLSearchParams, json: (status: number, body: unknown) => void): Promise<void> {
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`;
    if (req.headers.authorization !== basic) return json(401, { error: "invalid_client" });
    const code = form.get("code") ?? "";
    const grant = this.grants.get(code);
    this.grants.delete(code);
    if (form.get("grant_type") !== "authorization_code" || !grant || form.get("redirect_uri") !== grant.redirectUri) {
      return json(400, { error: "invalid_grant" });
    }
    const codeVerifier = form.get("code_verifier");
    this.tokenRequests.push({ code, codeVerifier, codeChallenge: grant.codeChallenge, codeChallengeMethod: grant.method });
    if (grant.method !== "S256" || !codeVerifier || s256(codeVerifier) !== grant.codeChallenge) {
      return json(400, { error: "invalid_grant" });
    }
    const now = Math.floor(Date.now() / 1000);
    const nonce = this.nonceFor(grant.nonce);
    const idToken = await new SignJWT({
      sub: "user-alice",
      name: "Alice",
      email: "alice@example.com",
      ...(nonce === undefined ? {} : { nonce }),
    })
      .setProtectedHeader({ alg: "RS256", kid: this.key.kid, typ: "JWT" })
      .setIssuer(this.issuer)
      .setAudience(CLIENT_ID)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(this.key.privateKey);
    const accessToken = await mintAccessToken(this.key, { issuer: this.issuer });
    json(200, { access_token: accessToken, token_type: "Bearer", expires_in: 300, id_token: idToken, scope: "openid profile email" });
  }
}

const s256 = (verifier: string) => base64url.encode(createHash("sha256").update(verifier).digest());

/** A browser's cookies for the app: what Set-Cookie put there, minus what it cleared. */
class CookieJar {
  private cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
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

const op = new FakeOp();
let dir: string;
let route: AuthRoute;
let db: Database;
let authErrors: MockInstance<(error: Error) => void>;

beforeAll(async () => {
  await op.start();
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
  await op.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  op.nonceFor = (requested) => requested;
  op.tokenRequests = [];
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
  const error = authErrors.mock.calls[0][0] as Error & { cause?: { err?: Error } };
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
    const session = await db.session.findUnique({ where: { sessionToken }, include: { user: true } });
    expect(session?.user.email).toBe("alice@example.com");
    expect(await db.session.count()).toBe(sessionsBefore + 1);
    expect(op.tokenRequests).toHaveLength(1);
  });

  it("sends the token endpoint the code_verifier whose S256 is the code_challenge it sent at the start", async () => {
    const signIn = await signInAtProvider();
    expect(signIn.authorization.searchParams.get("code_challenge_method")).toBe("S256");
    expect(signIn.codeChallenge).toMatch(/^[\w-]{43}$/);

    await arrive(signIn.callback, signIn.jar);

    expect(op.tokenRequests).toHaveLength(1);
    const [sent] = op.tokenRequests;
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
