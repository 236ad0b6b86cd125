/**
 * Refresh happens once: many requests, in one process or in several app instances, finding the
 * same access token stale must spend the refresh token exactly once (the IdP treats a second use
 * as theft and revokes the grant). Runs on SQLite, and on PostgreSQL when one is reachable.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { dropPostgresDatabase, freshPostgresDatabase } from "../../test/postgres";
import { createPrismaClient, type Database } from "../../prisma/client";
import { migrate } from "../../scripts/migrate";
import { startFakeOp, type FakeOp, type TokenAnswer } from "../../test/fake-op";

type TokensModule = typeof import("./store");

const backends: [string, () => Promise<string | undefined>][] = [
  ["SQLite", async () => `file:${join(mkdtempSync(join(tmpdir(), "claimtrip-tokens-")), "app.db")}`],
  ["PostgreSQL", () => freshPostgresDatabase(`claimtrip_tokens_test_${process.pid}`)],
];

describe.each(backends)("getAccessToken on %s", (_name, makeUrl) => {
  const CLIENT_SECRET = "tokens-test-client-secret";
  let idp: FakeOp;
  /** Requests that reached the token endpoint (one that was down does not count). */
  const refreshCalls = () => idp.tokenRequests.length;
  let url: string | undefined;
  let db: Database;
  let userId: string;
  /** The app session under test (browser A), and a second session of the same user (browser B). */
  const A = "session-a";
  const B = "session-b";

  /** A fresh copy of lib/tokens/store and everything it imports: what a second app instance is. */
  async function instance(): Promise<TokensModule> {
    vi.resetModules();
    // lib/db.ts keeps its client on globalThis across hot reloads; an instance has its own.
    delete (globalThis as { claimtripDb?: unknown }).claimtripDb;
    return import("./store");
  }

  beforeAll(async () => {
    url = await makeUrl();
    if (!url) return;
    // Like oidc-provider, it rotates refresh tokens and refuses a reused one; 150 ms per refresh
    // by default, so that concurrent callers really overlap.
    idp = await startFakeOp({ client: { secret: CLIENT_SECRET }, refreshDelay: 150 });
    await migrate(url);
    db = createPrismaClient(url, { logErrors: false });
    vi.stubEnv("NODE_ENV", "test");
    vi.stubEnv("DATABASE_URL", url);
    vi.stubEnv("AUTH_ISSUER", idp.issuer);
    vi.stubEnv("AUTH_SECRET", "tokens-test-secret-0123456789abcdefghij");
    vi.stubEnv("AUTH_CLIENT_SECRET", CLIENT_SECRET);
    vi.stubEnv("AUTH_REFRESH_SKEW", "30");
    vi.stubEnv("LOG_LEVEL", "silent");
    const user = await db.user.create({ data: { email: "alice@example.com", name: "Alice" } });
    userId = user.id;
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    if (!url) return;
    await db.$disconnect();
    await idp.close();
    await dropPostgresDatabase(url);
  });

  beforeEach(async ({ skip }) => {
    if (!url) skip("no PostgreSQL at 127.0.0.1:5432");
    idp.reset();
    idp.refreshTokens.add("refresh-0");
    await db.session.deleteMany({});
    await db.session.create({
      data: {
        id: A,
        sessionToken: "cookie-a",
        userId,
        expires: new Date(Date.now() + 3_600_000),
        tokens: {
          create: {
            accessToken: "access-0",
            refreshToken: "refresh-0",
            // Expires in 10 s: inside the 30 s refresh window.
            accessTokenExpiresAt: Math.floor(Date.now() / 1000) + 10,
          },
        },
      },
    });
  });

  /** Signs the same user in on a second browser: session B with a token set of its own. */
  async function signInOnB(expiresIn = 10) {
    idp.refreshTokens.add("refresh-b0");
    await db.session.create({
      data: {
        id: B,
        sessionToken: "cookie-b",
        userId,
        expires: new Date(Date.now() + 3_600_000),
        tokens: {
          create: {
            accessToken: "access-b0",
            refreshToken: "refresh-b0",
            accessTokenExpiresAt: Math.floor(Date.now() / 1000) + expiresIn,
          },
        },
      },
    });
  }

  it("hands out a token with life left without calling the IdP", async () => {
    await db.sessionTokens.updateMany({ data: { accessTokenExpiresAt: Math.floor(Date.now() / 1000) + 300 } });
    const tokens = await instance();
    await expect(tokens.getAccessToken(A)).resolves.toBe("access-0");
    expect(refreshCalls()).toBe(0);
  });

  it("refreshes a token with life left when asked for the IdP's current view (a sensitive action)", async () => {
    await db.sessionTokens.updateMany({ data: { accessTokenExpiresAt: Math.floor(Date.now() / 1000) + 300 } });
    const tokens = await instance();
    await expect(tokens.getAccessToken(A, { current: true })).resolves.toBe("access-1");
    expect(refreshCalls()).toBe(1);
    // The next ordinary request takes the new token as it is.
    await expect(tokens.getAccessToken(A)).resolves.toBe("access-1");
    expect(refreshCalls()).toBe(1);
  });

  it("says to sign in again when the current view is asked for and the IdP revoked the grant", async () => {
    await db.sessionTokens.updateMany({ data: { accessTokenExpiresAt: Math.floor(Date.now() / 1000) + 300 } });
    idp.refreshTokens.clear(); // revoked at the IdP
    const tokens = await instance();
    await expect(tokens.getAccessToken(A, { current: true })).rejects.toMatchObject({ code: "session_expired" });
  });

  it("refreshes once for many concurrent requests in one instance", async () => {
    const tokens = await instance();
    const results = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken(A)));
    expect(new Set(results)).toEqual(new Set(["access-1"]));
    expect(refreshCalls()).toBe(1);
    const stored = await db.sessionTokens.findUniqueOrThrow({ where: { sessionId: A } });
    expect(stored.refreshToken).toBe("refresh-1");
    expect(stored.refreshLeaseUntil).toBeNull();
  });

  it("refreshes once for 50 parallel requests of one session over two instances that share the database", async () => {
    const instances = [await instance(), await instance()];
    const results = await Promise.all(
      instances.flatMap((tokens) => Array.from({ length: 25 }, () => tokens.getAccessToken(A))),
    );
    expect(new Set(results)).toEqual(new Set(["access-1"]));
    expect(refreshCalls()).toBe(1);
  });

  it("forgets the tokens when the IdP refuses the refresh token, and says to sign in again", async () => {
    idp.refreshTokens.clear(); // revoked at the IdP
    const tokens = await instance();
    await expect(tokens.getAccessToken(A)).rejects.toMatchObject({ code: "session_expired" });
    const stored = await db.sessionTokens.findUniqueOrThrow({ where: { sessionId: A } });
    expect(stored.accessToken).toBeNull();
    expect(stored.refreshToken).toBeNull();
  });

  it("keeps the tokens and releases the lease when the IdP is down", async () => {
    idp.fail("token", 503);
    const tokens = await instance();
    await expect(tokens.getAccessToken(A)).rejects.toMatchObject({ code: "idp_unavailable" });
    const stored = await db.sessionTokens.findUniqueOrThrow({ where: { sessionId: A } });
    expect(stored.refreshToken).toBe("refresh-0");
    expect(stored.refreshLeaseUntil).toBeNull();
    idp.fail("token", undefined);
    await expect(tokens.getAccessToken(A)).resolves.toBe("access-1");
  });

  /** The stored row, for comparing before and after. */
  const stored = () => db.sessionTokens.findUniqueOrThrow({ where: { sessionId: A } });

  it.each<[string, TokenAnswer]>([
    ["429 Too Many Requests", { status: 429, contentType: "text/plain", body: "slow down" }],
    [
      "401 invalid_client (the client secret is being rotated)",
      { status: 401, contentType: "application/json", body: '{"error":"invalid_client"}' },
    ],
    ["400 invalid_request", { status: 400, contentType: "application/json", body: '{"error":"invalid_request"}' }],
    [
      "200 with an HTML page instead of JSON",
      { status: 200, contentType: "text/html", body: "<html>Please sign in to the proxy</html>" },
    ],
    [
      "200 with JSON but no access token",
      { status: 200, contentType: "application/json", body: '{"token_type":"Bearer"}' },
    ],
  ])("keeps the tokens and says to try again when the IdP answers %s", async (_name, answer) => {
    idp.tokenAnswer = answer;
    const tokens = await instance();
    const before = await stored();
    await expect(tokens.getAccessToken(A)).rejects.toMatchObject({ code: "idp_unavailable" });
    const after = await stored();
    expect(after).toMatchObject({
      accessToken: "access-0",
      refreshToken: "refresh-0",
      version: before.version,
      refreshLeaseUntil: null,
    });

    idp.tokenAnswer = undefined;
    await expect(tokens.getAccessToken(A)).resolves.toBe("access-1");
  });

  it("after a timeout keeps the tokens, resends only once the lease lapses, and a late answer changes nothing", async () => {
    idp.refreshDelay = 2_000;
    idp.rollbackUndelivered = true;
    const tokens = await instance();
    Object.assign(tokens.refreshTimings, { refreshTimeoutMs: 1_000, leaseMs: 2_500 });
    const before = await stored();

    const started = Date.now();
    await expect(tokens.getAccessToken(A)).rejects.toMatchObject({
      code: "idp_unavailable",
      reason: "refresh_outcome_unknown",
    });
    expect(refreshCalls()).toBe(1);
    // The lease is kept: nobody resends while the IdP may still be at work on the request.
    const held = await stored();
    expect(held).toMatchObject({
      accessToken: "access-0",
      refreshToken: "refresh-0",
      version: before.version,
    });
    expect(held.refreshLeaseUntil?.getTime()).toBeGreaterThan(Date.now());
    // The IdP's late answer comes and goes; nobody reads it, nothing is written.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await stored()).toMatchObject({
      accessToken: "access-0",
      refreshToken: "refresh-0",
      version: before.version,
    });

    // The next request waits for the lease to lapse, then sends the same refresh token once
    // more; the IdP took back the rotation whose answer it could not deliver.
    idp.refreshDelay = 10;
    await expect(tokens.getAccessToken(A)).resolves.toBe("access-2");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_400);
    expect(refreshCalls()).toBe(2);
    expect(await stored()).toMatchObject({
      accessToken: "access-2",
      refreshToken: "refresh-2",
      refreshLeaseUntil: null,
    });
  });

  it("a sign-in in another browser while a refresh is under way touches neither session's tokens", async () => {
    idp.refreshDelay = 500;
    const tokens = await instance();
    const refreshing = tokens.getAccessToken(A);
    refreshing.catch(() => undefined);
    // The refresh is at the IdP (which answers in 500 ms) when the user signs in elsewhere.
    await expect.poll(refreshCalls, { interval: 10 }).toBe(1);
    await signInOnB(300);
    await expect(refreshing).resolves.toBe("access-1");
    expect(await stored()).toMatchObject({ accessToken: "access-1", refreshToken: "refresh-1" });
    expect(await db.sessionTokens.findUniqueOrThrow({ where: { sessionId: B } })).toMatchObject({
      accessToken: "access-b0",
      refreshToken: "refresh-b0",
    });
  });

  it("stores nothing when the session ended while its refresh was at the IdP", async () => {
    idp.refreshDelay = 500;
    const tokens = await instance();
    const refreshing = tokens.getAccessToken(A);
    refreshing.catch(() => undefined);
    await expect.poll(refreshCalls, { interval: 10 }).toBe(1);
    await db.session.deleteMany({ where: { id: A } }); // signed out meanwhile
    // The late answer still serves the request that asked for it, and is not written anywhere.
    await expect(refreshing).resolves.toBe("access-1");
    expect(await db.sessionTokens.count()).toBe(0);
  });

  it("keeps a token set per session: each session refreshes its own, once, with its own refresh token", async () => {
    await signInOnB();
    const instances = [await instance(), await instance()];
    const results = await Promise.all(
      instances.flatMap((tokens) =>
        Array.from({ length: 10 }, (_, i) => tokens.getAccessToken(i % 2 === 0 ? A : B).then((t) => [i % 2, t])),
      ),
    );
    const bySession = (n: number) => new Set(results.filter(([s]) => s === n).map(([, t]) => t));
    expect(bySession(0).size).toBe(1);
    expect(bySession(1).size).toBe(1);
    expect(bySession(0)).not.toEqual(bySession(1));
    // One refresh grant per session, each spending that session's own refresh token.
    expect(refreshCalls()).toBe(2);
    expect(new Set(idp.tokenRequests.map((request) => request.refreshToken))).toEqual(
      new Set(["refresh-0", "refresh-b0"]),
    );
  });

  it("signing out one session leaves the other's tokens and refresh working", async () => {
    await signInOnB();
    const tokens = await instance();
    await expect(tokens.endTokens(A)).resolves.toBeNull(); // no ID token stored in this test
    await db.session.deleteMany({ where: { id: A } });
    await expect(tokens.getAccessToken(A)).rejects.toMatchObject({ code: "session_expired", reason: "no_tokens" });
    await expect(tokens.getAccessToken(B)).resolves.toBe("access-1");
    expect(idp.tokenRequests.map((request) => request.refreshToken)).toEqual(["refresh-b0"]);
  });

  it("asks a session without a token set (created before tokens were kept per session) to sign in again", async () => {
    await db.session.create({
      data: { id: "old", sessionToken: "cookie-old", userId, expires: new Date(Date.now() + 3_600_000) },
    });
    const tokens = await instance();
    await expect(tokens.getAccessToken("old")).rejects.toMatchObject({ code: "session_expired", reason: "no_tokens" });
    expect(refreshCalls()).toBe(0);
  });

  it("a slow discovery does not eat the lease: a second instance waits instead of spending the refresh token again", async () => {
    idp.discoveryDelay = 2_500;
    const instances = [await instance(), await instance()];
    // A lease shorter than the discovery: held across the discovery, it would run out.
    for (const tokens of instances) Object.assign(tokens.refreshTimings, { refreshTimeoutMs: 1_000, leaseMs: 2_000 });
    const results = await Promise.all(instances.map((tokens) => tokens.getAccessToken(A)));
    expect(results).toEqual(["access-1", "access-1"]);
    expect(refreshCalls()).toBe(1);
    expect((await stored()).refreshToken).toBe("refresh-1");
  });
});
