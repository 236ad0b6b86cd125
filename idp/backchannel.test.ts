/**
 * Back-Channel Logout from the real IdP: a sign-out at the end-session endpoint and a revoke of
 * the user's access (revoke-access.ts) each send the web app's back-channel logout URI a logout
 * token naming the ended session; a failed delivery is logged, retried, and never fails the
 * IdP's own answer.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { WEB_CLIENT_ID } from "./clients.ts";
import { buildConfiguration, type ConfigurationDeps } from "./config.ts";
import { revokeUserAccess } from "./revoke-access.ts";
import { hiddenFields, type Page } from "./testing/browser.ts";
import { authorize, exchangeCode, startTestIdp, tokenRequest, type TestIdp } from "./testing/harness.ts";

const BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout";

/** The web app's side: records every logout token posted to it and answers `status`. */
class Receiver {
  tokens: string[] = [];
  contentTypes: string[] = [];
  status = 200;
  port = 0;
  #server: Server | undefined;

  async listen(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        if (req.url === "/api/auth/backchannel-logout" && req.method === "POST") {
          this.contentTypes.push(String(req.headers["content-type"]));
          const token = new URLSearchParams(body).get("logout_token");
          if (token) this.tokens.push(token);
        }
        res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

const receiver = new Receiver();
let t: TestIdp;

beforeAll(async () => {
  await receiver.listen();
  t = await startTestIdp({ env: { APP_URL: receiver.url }, backchannel: { retryDelaysMs: [100, 300] } });
});
afterAll(async () => {
  await t?.close();
  await receiver.stop();
});
beforeEach(() => {
  receiver.tokens = [];
  receiver.contentTypes = [];
  receiver.status = 200;
  t.logs.length = 0;
});

async function verifyLogoutToken(token: string) {
  const jwks = createRemoteJWKSet(new URL("/jwks", t.issuer));
  return jwtVerify(token, jwks, {
    issuer: t.issuer,
    audience: WEB_CLIENT_ID,
    typ: "logout+jwt",
    algorithms: ["RS256"],
  });
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Signs in as `email` in a new browser; returns the browser, the tokens and the ID token's sid. */
async function signIn(email = "bob@example.com", password = "bob-password") {
  const result = await authorize(t, { email, password });
  const tokens = await exchangeCode(t, result);
  const idToken = String(tokens.body.id_token);
  return {
    browser: result.browser,
    idToken,
    refreshToken: String(tokens.body.refresh_token),
    sid: decodeJwt(idToken).sid as string,
  };
}

/** RP-initiated logout as the app does it: id_token_hint, then the auto-submitted form. */
async function signOutAtIdp(session: Awaited<ReturnType<typeof signIn>>): Promise<Page> {
  const end = new URL("/session/end", t.issuer);
  end.search = new URLSearchParams({
    id_token_hint: session.idToken,
    post_logout_redirect_uri: `${t.settings.APP_URL}/`,
  }).toString();
  const page = await session.browser.navigate(end);
  return session.browser.navigate("/session/end/confirm", { form: hiddenFields(page) });
}

describe("discovery and client registration", () => {
  it("announces back-channel logout with sid, and puts the session's sid in the ID token", async () => {
    const discovery = (await (await fetch(new URL("/.well-known/openid-configuration", t.issuer))).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.backchannel_logout_supported).toBe(true);
    expect(discovery.backchannel_logout_session_supported).toBe(true);
    const { sid } = await signIn();
    expect(sid).toMatch(/^[\w-]{10,}$/);
  });
});

describe("outgoing requests", () => {
  it("keeps oidc-provider's SSRF guard for every origin but the app's own", async () => {
    const { fetch: configured } = buildConfiguration({
      settings: t.settings,
      jwks: { keys: [] },
      resources: {},
      postLogin: {},
    } as unknown as ConfigurationDeps);
    const seen: unknown[] = [];
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) => {
      seen.push((init as { dispatcher?: unknown } | undefined)?.dispatcher);
      return new Response(null, { status: 200 });
    });
    try {
      const guard = { guard: true };
      const init = () => ({ method: "POST", dispatcher: guard }) as RequestInit;
      await configured!(`${receiver.url}/api/auth/backchannel-logout`, init());
      await configured!("http://127.0.0.1:1/api/auth/backchannel-logout", init());
      await configured!(`http://localhost:${receiver.port}/api/auth/backchannel-logout`, init());
      expect(seen).toEqual([undefined, guard, guard]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("sign-out at the end-session endpoint", () => {
  it("posts the app a logout token for exactly that session: signed, typed, with sid, sub, events and jti, and no nonce", async () => {
    const bob = await signIn();
    const done = await signOutAtIdp(bob);
    expect(done.status).toBe(0);
    expect(done.url.href).toBe(`${t.settings.APP_URL}/`);

    expect(receiver.tokens).toHaveLength(1);
    expect(receiver.contentTypes[0]).toBe("application/x-www-form-urlencoded");
    const { payload, protectedHeader } = await verifyLogoutToken(receiver.tokens[0]!);
    expect(protectedHeader.typ).toBe("logout+jwt");
    expect(payload).toMatchObject({
      sub: "bob",
      sid: bob.sid,
      aud: WEB_CLIENT_ID,
      events: { [BACKCHANNEL_EVENT]: {} },
    });
    expect(typeof payload.jti).toBe("string");
    expect(payload).not.toHaveProperty("nonce");
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(120);
  });

  it("answers the browser even when the app is down, logs the failure and retries with backoff", async () => {
    const bob = await signIn();
    receiver.status = 503;
    const started = Date.now();
    const done = await signOutAtIdp(bob);
    expect(done.status).toBe(0);
    expect(done.url.href).toBe(`${t.settings.APP_URL}/`);
    expect(Date.now() - started).toBeLessThan(2_000);

    await until(() => t.logs.some((line) => line.msg === "back-channel logout not delivered; giving up"));
    const failures = t.logs.filter((line) => String(line.msg).startsWith("back-channel logout not delivered"));
    expect(failures.map((line) => [line.attempt, line.reason])).toEqual([
      [1, "http_503"],
      [2, "http_503"],
      [3, "http_503"],
    ]);
    expect(failures.every((line) => line.client_id === WEB_CLIENT_ID && line.account_id === "bob")).toBe(true);
    // Three attempts, each with a fresh token (its own jti), none of them logged.
    expect(new Set(receiver.tokens.map((token) => decodeJwt(token).jti)).size).toBe(3);
    const logged = JSON.stringify(t.logs);
    for (const token of receiver.tokens) expect(logged).not.toContain(token.split(".")[1]);
  });

  it("delivers on a retry once the app is back", async () => {
    const bob = await signIn();
    receiver.status = 500;
    await signOutAtIdp(bob);
    await until(() => receiver.tokens.length === 1);
    receiver.status = 200;
    await until(() => t.logs.some((line) => line.msg === "back-channel logout delivered"));
    expect(t.logs.find((line) => line.msg === "back-channel logout delivered")).toMatchObject({
      attempt: 2,
      client_id: WEB_CLIENT_ID,
    });
    const { payload } = await verifyLogoutToken(receiver.tokens[1]!);
    expect(payload.sid).toBe(bob.sid);
  });
});

describe("revokeUserAccess", () => {
  it("ends every IdP session of the user, revokes the grants, and tells the app about each session", async () => {
    const first = await signIn();
    const second = await signIn();
    const alice = await signIn("alice@example.com", "alice-password");

    const result = await revokeUserAccess(t.idp.provider, "bob");
    expect(result.sessions).toBeGreaterThanOrEqual(2);
    const outcomes = await result.deliveries;
    expect(outcomes.every((outcome) => outcome.delivered)).toBe(true);

    const sids = await Promise.all(receiver.tokens.map(async (token) => (await verifyLogoutToken(token)).payload));
    expect(sids.every((payload) => payload.sub === "bob")).toBe(true);
    expect(sids.map((payload) => payload.sid)).toEqual(expect.arrayContaining([first.sid, second.sid]));
    expect(sids.map((payload) => payload.sid)).not.toContain(alice.sid);

    // Bob's refresh tokens are dead; his browsers meet the login page again. Alice is untouched.
    for (const session of [first, second]) {
      expect((await tokenRequest(t, { grant_type: "refresh_token", refresh_token: session.refreshToken })).status).toBe(
        400,
      );
      const again = await authorize(t, { email: "bob@example.com", password: "bob-password" }, session.browser);
      expect(again.loginPage).toBeDefined();
    }
    expect((await tokenRequest(t, { grant_type: "refresh_token", refresh_token: alice.refreshToken })).status).toBe(
      200,
    );
  });

  it("answers at once when the app is down; the deliveries fail in the background and are logged", async () => {
    await signIn();
    await receiver.stop();
    try {
      const started = Date.now();
      const result = await revokeUserAccess(t.idp.provider, "bob");
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(result.sessions).toBeGreaterThanOrEqual(1);
      const outcomes = await result.deliveries;
      expect(outcomes.length).toBeGreaterThanOrEqual(1);
      expect(outcomes.every((outcome) => !outcome.delivered && outcome.attempts === 3)).toBe(true);
      expect(t.logs.filter((line) => line.msg === "back-channel logout not delivered; giving up")[0]).toMatchObject({
        reason: "ECONNREFUSED",
        attempt: 3,
      });
    } finally {
      await receiver.listen(receiver.port);
    }
  });

  it("does nothing for a user without sessions", async () => {
    const result = await revokeUserAccess(t.idp.provider, "nobody");
    expect(result).toMatchObject({ sessions: 0, grants: 0 });
    expect(await result.deliveries).toEqual([]);
  });
});
