/**
 * POST /api/auth/backchannel-logout as Next.js runs it: the route module with the app's real
 * settings and a migrated database, verifying logout tokens from a local issuer with the same
 * key source as the API. Every hostile token or request is refused with a bare 400 and deletes
 * nothing; an honest one deletes exactly the sessions it names.
 */
import { randomUUID } from "node:crypto";
import { exportSPKI, SignJWT } from "jose";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { JWKS_PATH } from "@/test/fake-op";
import { CLIENT_ID, createTestKey, encodeSegment, mintAccessToken, type Signer } from "@/test/tokens";
import { startRouteHarness, type RouteHarness } from "@/test/api-route";

const EVENT = "http://schemas.openid.net/event/backchannel-logout";
const URL_PATH = "http://localhost:3000/api/auth/backchannel-logout";
const FORM = "application/x-www-form-urlencoded";

type Database = typeof import("@/lib/db").db;
type Post = (request: Request) => Promise<Response>;

let harness: RouteHarness;
let POST: Post;
let db: Database;
/** Why the last refusals were refused: the `reason` of each "back-channel logout refused" line. */
const refusals: string[] = [];

/** A stand-in for the app's logger that keeps the refusal reasons (what the route logs, never the token). */
function captureRefusals(logger: { child: (...args: never[]) => unknown }) {
  const fake = {
    child: () => fake,
    info: () => undefined,
    error: () => undefined,
    warn: (fields: { reason?: string }) => void (fields.reason && refusals.push(fields.reason)),
  };
  vi.spyOn(logger, "child").mockImplementation(() => fake as never);
}

/**
 * Runs `use` with a fresh copy of the route and everything it imports, with a database client of
 * its own: what a second app instance is. The first instance's client is put back afterwards.
 */
async function inAnotherInstance(use: () => Promise<void>): Promise<void> {
  const cache = globalThis as { claimtripDb?: Database };
  const first = cache.claimtripDb;
  delete cache.claimtripDb;
  vi.resetModules();
  try {
    await use();
  } finally {
    await (cache.claimtripDb as Database | undefined)?.$disconnect();
    cache.claimtripDb = first;
  }
}

beforeAll(async () => {
  harness = await startRouteHarness();
  ({ POST } = await import("./route"));
  ({ db } = await import("@/lib/db"));
  captureRefusals((await import("@/lib/logger")).logger);
});
afterAll(() => harness?.close());

const now = () => Math.floor(Date.now() / 1000);

/** An honest logout token for bob's first browser, from the issuer's real key; override anything. */
async function logoutToken(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key: Signer = harness.key,
): Promise<string> {
  const payload = Object.fromEntries(
    Object.entries({
      iss: harness.idp.issuer,
      aud: CLIENT_ID,
      iat: now(),
      exp: now() + 120,
      jti: randomUUID(),
      events: { [EVENT]: {} },
      sub: "bob",
      sid: "sid-bob-1",
      ...claims,
    }).filter(([, value]) => value !== undefined),
  );
  const protectedHeader = Object.fromEntries(
    Object.entries({ alg: key.alg, kid: key.kid, typ: "logout+jwt", ...header }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  return new SignJWT(payload).setProtectedHeader(protectedHeader as { alg: string }).sign(key.privateKey);
}

function post(
  body: BodyInit | null,
  contentType: string | null = FORM,
  headers: Record<string, string> = {},
): Promise<Response> {
  const all = new Headers(headers);
  if (contentType) all.set("content-type", contentType);
  return POST(new Request(URL_PATH, { method: "POST", headers: all, body }));
}

const postToken = (token: string) => post(new URLSearchParams({ logout_token: token }).toString());

/** The app's sessions, by the name each test gave them. */
async function liveSessions(): Promise<string[]> {
  return (await db.session.findMany({ select: { sessionToken: true }, orderBy: { sessionToken: "asc" } })).map(
    (s) => s.sessionToken,
  );
}

const ALL_SESSIONS = ["alice", "bob-1", "bob-2", "bob-no-sid"];

/**
 * Alice signed in once; bob signed in from two browsers (two IdP sessions, `sid-bob-1` and
 * `sid-bob-2`), and once through an IdP that sent no `sid`.
 */
beforeEach(async () => {
  refusals.length = 0;
  await db.logoutTokenJti.deleteMany({});
  await db.endedIdpSession.deleteMany({});
  await db.session.deleteMany({});
  await db.account.deleteMany({});
  await db.user.deleteMany({});
  const expires = new Date(Date.now() + 3_600_000);
  for (const [name, sessions] of [
    ["alice", [["alice", "sid-alice"]]],
    [
      "bob",
      [
        ["bob-1", "sid-bob-1"],
        ["bob-2", "sid-bob-2"],
        ["bob-no-sid", null],
      ],
    ],
  ] as const) {
    const user = await db.user.create({ data: { name, email: `${name}@example.com` } });
    await db.account.create({
      data: { userId: user.id, type: "oidc", provider: "claimtrip", providerAccountId: name },
    });
    for (const [sessionToken, sid] of sessions)
      await db.session.create({
        data: {
          sessionToken,
          sid,
          userId: user.id,
          expires,
          tokens: { create: { accessToken: `at-${sessionToken}` } },
        },
      });
  }
});

async function expectRefused(response: Response, reason: string): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(await response.text()).toBe(JSON.stringify({ error: "invalid_request" }));
  expect(refusals).toEqual([reason]);
  expect(await liveSessions()).toEqual(ALL_SESSIONS);
}

describe("an honest logout token", () => {
  it("with sid and sub ends that IdP session's app session only: bob's other browser, and alice, stay signed in", async () => {
    const response = await postToken(await logoutToken());
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe("");
    expect(await liveSessions()).toEqual(["alice", "bob-2", "bob-no-sid"]);
  });

  it("with sub only ends every session of that user", async () => {
    expect((await postToken(await logoutToken({ sid: undefined }))).status).toBe(200);
    expect(await liveSessions()).toEqual(["alice"]);
  });

  it("with sid only ends that IdP session's app session", async () => {
    expect((await postToken(await logoutToken({ sub: undefined, sid: "sid-bob-2" }))).status).toBe(200);
    expect(await liveSessions()).toEqual(["alice", "bob-1", "bob-no-sid"]);
  });

  it("whose sid belongs to another user than its sub ends nothing (and still answers 200)", async () => {
    expect((await postToken(await logoutToken({ sub: "bob", sid: "sid-alice" }))).status).toBe(200);
    expect(await liveSessions()).toEqual(ALL_SESSIONS);
  });

  it("for a user or session this app does not know ends nothing, and answers 200", async () => {
    expect((await postToken(await logoutToken({ sub: "carol", sid: undefined }))).status).toBe(200);
    expect((await postToken(await logoutToken({ sub: undefined, sid: "sid-unknown" }))).status).toBe(200);
    expect(await liveSessions()).toEqual(ALL_SESSIONS);
  });

  it("is accepted without a typ, or with typ application/logout+jwt, and with a charset on the content type", async () => {
    expect((await postToken(await logoutToken({}, { typ: undefined }))).status).toBe(200);
    expect((await postToken(await logoutToken({ sid: "sid-bob-2" }, { typ: "application/logout+jwt" }))).status).toBe(
      200,
    );
    const body = new URLSearchParams({
      logout_token: await logoutToken({ sid: "sid-alice", sub: "alice" }),
    }).toString();
    expect((await post(body, `${FORM}; charset=UTF-8`)).status).toBe(200);
    expect(await liveSessions()).toEqual(["bob-no-sid"]);
  });

  it("is accepted from another origin: the token, not the origin, is the proof", async () => {
    const body = new URLSearchParams({ logout_token: await logoutToken() }).toString();
    const response = await post(body, FORM, { origin: "https://tenant.auth0.example", "sec-fetch-site": "cross-site" });
    expect(response.status).toBe(200);
  });
});

describe("each session's own tokens", () => {
  it("go with the sessions the token ends; the user's other sessions keep theirs", async () => {
    expect((await postToken(await logoutToken())).status).toBe(200);
    const left = await db.sessionTokens.findMany({ select: { accessToken: true }, orderBy: { accessToken: "asc" } });
    expect(left.map((t) => t.accessToken)).toEqual(["at-alice", "at-bob-2", "at-bob-no-sid"]);
  });
});

describe("a sign-in still completing when the IdP ends its session", () => {
  /** What Auth.js does at the end of bob's callback: create the session for this IdP session. */
  async function completeSignIn(sid: string, sessionToken: string): Promise<void> {
    const { withSignIn, rememberSignIn, createSessionWithTokens } = await import("@/lib/auth/new-session");
    const bob = await db.user.findFirstOrThrow({ where: { name: "bob" } });
    await withSignIn(async () => {
      rememberSignIn(sid, {
        provider: "claimtrip",
        providerAccountId: "bob",
        type: "oidc",
        access_token: `at-${sessionToken}`,
        refresh_token: `rt-${sessionToken}`,
      });
      await createSessionWithTokens({ sessionToken, userId: bob.id, expires: new Date(Date.now() + 3_600_000) });
    });
  }

  it("is ended too when the logout token came between the code exchange and the session", async () => {
    expect((await postToken(await logoutToken({ sid: "sid-bob-3" }))).status).toBe(200);
    await completeSignIn("sid-bob-3", "bob-3");
    expect(await liveSessions()).toEqual(ALL_SESSIONS);
    expect(await db.sessionTokens.count({ where: { accessToken: "at-bob-3" } })).toBe(0);
  });

  it("is kept, with a token set of its own, when its IdP session was not ended", async () => {
    expect((await postToken(await logoutToken({ sid: "sid-bob-3" }))).status).toBe(200);
    await completeSignIn("sid-bob-4", "bob-4");
    expect(await liveSessions()).toEqual([...ALL_SESSIONS, "bob-4"].sort());
    const session = await db.session.findUniqueOrThrow({ where: { sessionToken: "bob-4" }, include: { tokens: true } });
    expect(session).toMatchObject({ sid: "sid-bob-4", tokens: { accessToken: "at-bob-4", refreshToken: "rt-bob-4" } });
  });
});

describe("refuses with 400 invalid_request and deletes nothing", () => {
  const cases: [name: string, reason: string, send: () => Promise<Response>][] = [
    [
      "alg none, without a signature",
      "malformed",
      async () => {
        const payload = (await logoutToken()).split(".")[1];
        return postToken(`${encodeSegment({ alg: "none", typ: "logout+jwt" })}.${payload}.`);
      },
    ],
    [
      "alg none, with a signature segment",
      "alg_not_allowed",
      async () => {
        const [, payload, signature] = (await logoutToken()).split(".");
        return postToken(
          `${encodeSegment({ alg: "none", typ: "logout+jwt", kid: harness.key.kid })}.${payload}.${signature}`,
        );
      },
    ],
    [
      "HS256 signed with the IdP's public key (PEM) as the HMAC secret",
      "alg_not_allowed",
      async () => {
        const secret = new TextEncoder().encode(await exportSPKI(harness.key.publicKey));
        return postToken(await logoutToken({}, {}, { kid: harness.key.kid, alg: "HS256", privateKey: secret }));
      },
    ],
    [
      "an algorithm outside the allow-list (PS256), from a key under the IdP's kid",
      "alg_not_allowed",
      async () => {
        const other = await createTestKey("PS256", harness.key.kid);
        return postToken(await logoutToken({}, {}, other));
      },
    ],
    [
      "the attacker's own key under the IdP's real kid",
      "signature",
      async () => {
        const attacker = await createTestKey("RS256", harness.key.kid);
        return postToken(await logoutToken({}, {}, attacker));
      },
    ],
    [
      "a payload changed after signing (sid swapped)",
      "signature",
      async () => {
        const [header, , signature] = (await logoutToken()).split(".");
        const payload = encodeSegment({
          iss: harness.idp.issuer,
          aud: CLIENT_ID,
          iat: now(),
          jti: randomUUID(),
          events: { [EVENT]: {} },
          sid: "sid-alice",
        });
        return postToken(`${header}.${payload}.${signature}`);
      },
    ],
    ["wrong iss", "iss_check_failed", async () => postToken(await logoutToken({ iss: "https://evil.example" }))],
    [
      "wrong aud (another client)",
      "aud_check_failed",
      async () => postToken(await logoutToken({ aud: "claimtrip-cli" })),
    ],
    ["no events", "events_missing", async () => postToken(await logoutToken({ events: undefined }))],
    [
      "events without the back-channel logout event",
      "events",
      async () => postToken(await logoutToken({ events: { "http://schemas.openid.net/event/other": {} } })),
    ],
    [
      "the back-channel logout event not as a JSON object",
      "events",
      async () => postToken(await logoutToken({ events: { [EVENT]: "yes" } })),
    ],
    ["events as a list", "events", async () => postToken(await logoutToken({ events: [EVENT] }))],
    ["a nonce present", "nonce", async () => postToken(await logoutToken({ nonce: "n-0S6_WzA2Mj" }))],
    [
      "neither sid nor sub",
      "no_sub_or_sid",
      async () => postToken(await logoutToken({ sid: undefined, sub: undefined })),
    ],
    ["sid that is not a string", "sub_or_sid", async () => postToken(await logoutToken({ sid: 42 }))],
    ["sub that is an empty string", "sub_or_sid", async () => postToken(await logoutToken({ sub: "" }))],
    ["no jti", "jti_missing", async () => postToken(await logoutToken({ jti: undefined }))],
    ["no iat", "iat_missing", async () => postToken(await logoutToken({ iat: undefined }))],
    ["expired", "expired", async () => postToken(await logoutToken({ iat: now() - 200, exp: now() - 60 }))],
    [
      "issued in the future (beyond the clock tolerance)",
      "issued_in_future",
      async () => postToken(await logoutToken({ iat: now() + 60 })),
    ],
    [
      "issued too long ago, even with a far exp",
      "too_old",
      async () => postToken(await logoutToken({ iat: now() - 3600, exp: now() + 3600 })),
    ],
    ["typ at+jwt (an access token's type)", "typ", async () => postToken(await logoutToken({}, { typ: "at+jwt" }))],
    [
      "an ID token posted as a logout token",
      "events_missing",
      async () => {
        const idToken = await new SignJWT({ sub: "bob", sid: "sid-bob-1", nonce: "n", auth_time: now() })
          .setProtectedHeader({ alg: "RS256", kid: harness.key.kid, typ: "JWT" })
          .setIssuer(harness.idp.issuer)
          .setAudience(CLIENT_ID)
          .setIssuedAt()
          .setExpirationTime("1h")
          .setJti(randomUUID())
          .sign(harness.key.privateKey);
        return postToken(idToken);
      },
    ],
    [
      "an access token for the app's API posted as a logout token",
      "aud_check_failed",
      async () =>
        postToken(
          await mintAccessToken(harness.key, {
            issuer: harness.idp.issuer,
            claims: { sub: "bob", sid: "sid-bob-1", events: { [EVENT]: {} } },
          }),
        ),
    ],
    ["not a JWT at all", "malformed", async () => postToken("not-a-token")],
    [
      "a token over 8192 characters",
      "too_large",
      async () => postToken(await logoutToken({ padding: "x".repeat(9000) })),
    ],
    [
      "an oversized body (declared)",
      "body_too_large",
      async () =>
        post(new URLSearchParams({ logout_token: await logoutToken(), padding: "x".repeat(20_000) }).toString()),
    ],
    [
      "an oversized body with a Content-Length that lies",
      "body_too_large",
      async () =>
        post(new URLSearchParams({ logout_token: await logoutToken(), padding: "x".repeat(20_000) }).toString(), FORM, {
          "content-length": "100",
        }),
    ],
    [
      "a JSON body",
      "content_type",
      async () => post(JSON.stringify({ logout_token: await logoutToken() }), "application/json"),
    ],
    [
      "a multipart body",
      "content_type",
      async () => {
        const form = new FormData();
        form.set("logout_token", await logoutToken());
        return POST(new Request(URL_PATH, { method: "POST", body: form }));
      },
    ],
    ["no content type", "content_type", async () => post(`logout_token=${await logoutToken()}`, null)],
    ["no logout_token parameter", "missing", async () => post("token=abc")],
    ["an empty body", "missing", async () => post("")],
    [
      "two logout_token parameters",
      "repeated",
      async () => {
        const body = new URLSearchParams([
          ["logout_token", await logoutToken()],
          ["logout_token", await logoutToken({ sid: "sid-bob-2" })],
        ]);
        return post(body.toString());
      },
    ],
    ["a body that is not UTF-8", "body_encoding", async () => post(new Uint8Array([0x6c, 0x3d, 0xff, 0xfe]))],
  ];

  it.each(cases)("%s", async (_name, reason, send) => {
    await expectRefused(await send(), reason);
  });
});

describe("replay", () => {
  it("refuses a logout token whose jti was accepted before", async () => {
    const token = await logoutToken({ sid: "sid-unknown" });
    expect((await postToken(token)).status).toBe(200);
    refusals.length = 0;
    await expectRefused(await postToken(token), "replayed");
  });

  it("refuses another token reusing an accepted jti", async () => {
    const jti = randomUUID();
    expect((await postToken(await logoutToken({ jti, sid: "sid-unknown" }))).status).toBe(200);
    refusals.length = 0;
    await expectRefused(await postToken(await logoutToken({ jti })), "replayed");
  });

  it("refuses a replay at another app instance sharing the database", async () => {
    const token = await logoutToken({ sid: "sid-unknown" });
    expect((await postToken(token)).status).toBe(200);
    refusals.length = 0;

    await inAnotherInstance(async () => {
      const other = (await import("./route")).POST;
      captureRefusals((await import("@/lib/logger")).logger);
      const response = await other(
        new Request(URL_PATH, { method: "POST", headers: { "content-type": FORM }, body: `logout_token=${token}` }),
      );
      await expectRefused(response, "replayed");
    });
  });

  it("lets exactly one of simultaneous deliveries of one token in", async () => {
    const token = await logoutToken();
    const statuses = (await Promise.all([postToken(token), postToken(token), postToken(token)])).map(
      (response) => response.status,
    );
    expect(statuses.sort()).toEqual([200, 400, 400]);
    expect(await liveSessions()).toEqual(["alice", "bob-2", "bob-no-sid"]);
  });

  it("forgets a jti once its token could no longer be accepted anyway", async () => {
    await db.logoutTokenJti.create({ data: { id: "stale", expiresAt: new Date(Date.now() - 1000) } });
    expect((await postToken(await logoutToken({ sid: "sid-unknown" }))).status).toBe(200);
    expect(await db.logoutTokenJti.findUnique({ where: { id: "stale" } })).toBeNull();
    const kept = await db.logoutTokenJti.findMany();
    expect(kept).toHaveLength(1);
    // Kept until the token's exp (plus the clock tolerance), no longer.
    expect(kept[0]!.expiresAt.getTime()).toBeLessThanOrEqual((now() + 120 + 5) * 1000);
  });
});

describe("keys and hostile input", () => {
  it("uses the same key source as the API: one JWKS fetch serves both", async () => {
    await inAnotherInstance(async () => {
      const fetchesBefore = harness.idp.count(JWKS_PATH);
      const logout = (await import("./route")).POST;
      const me = (await import("@/app/api/me/route")).GET;
      const access = await harness.mint();
      expect(
        (await me(new Request("http://localhost:3000/api/me", { headers: { authorization: `Bearer ${access}` } })))
          .status,
      ).toBe(200);
      const body = `logout_token=${await logoutToken({ sid: "sid-unknown" })}`;
      expect(
        (await logout(new Request(URL_PATH, { method: "POST", headers: { "content-type": FORM }, body }))).status,
      ).toBe(200);
      expect(harness.idp.count(JWKS_PATH) - fetchesBefore).toBe(1);
    });
  });

  it("answers 503 with Retry-After when the IdP's keys cannot be fetched, so the IdP tries again; nothing ends", async () => {
    harness.idp.fail("jwks", 500);
    try {
      await inAnotherInstance(async () => {
        const logout = (await import("./route")).POST;
        const body = `logout_token=${await logoutToken()}`;
        const response = await logout(
          new Request(URL_PATH, { method: "POST", headers: { "content-type": FORM }, body }),
        );
        expect(response.status).toBe(503);
        expect(response.headers.get("retry-after")).toBe("5");
        expect(await response.json()).toEqual({ error: "temporarily_unavailable" });
      });
    } finally {
      harness.idp.fail("jwks", undefined);
    }
    expect(await liveSessions()).toEqual(ALL_SESSIONS);
  });

  it("answers random form bodies with 400, never a 5xx, and deletes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string().map((value) => `logout_token=${encodeURIComponent(value)}`),
        ),
        async (body) => {
          const response = await post(body);
          expect(response.status).toBe(400);
        },
      ),
      { numRuns: 60 },
    );
    expect(await liveSessions()).toEqual(ALL_SESSIONS);
  });
});
