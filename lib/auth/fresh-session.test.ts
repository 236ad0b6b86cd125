import { NextRequest } from "next/server";
import { beforeEach, describe, expect, it, vi } from "vitest";

const deleteMany = vi.fn(async (_args: unknown) => ({ count: 1 }));
vi.mock("../db", () => ({ db: { session: { deleteMany: (args: unknown) => deleteMany(args) } } }));
vi.mock("../env", () => ({ env: { APP_URL: "http://localhost:3000" } }));

const { setsCookie, signInWithFreshSession, withoutCookie } = await import("./fresh-session");

const COOKIE = "authjs.session-token";
const CALLBACK = "http://localhost:3000/api/auth/callback/claimtrip?code=c&state=s";

function callbackRequest(cookie?: string) {
  return new NextRequest(CALLBACK, { headers: cookie ? { cookie } : {} });
}

/** Stands in for Auth.js: records the cookies it was given, answers like a successful sign-in. */
function fakeAuthJs(setCookie: string | null) {
  const seen: (string | null)[] = [];
  const handler = async (request: NextRequest) => {
    seen.push(request.headers.get("cookie"));
    const headers = new Headers({ location: "http://localhost:3000/dashboard" });
    if (setCookie) headers.append("set-cookie", setCookie);
    return new Response(null, { status: 302, headers });
  };
  return { handler, seen };
}

beforeEach(() => deleteMany.mockClear());

describe("withoutCookie", () => {
  it("drops one cookie and keeps the others", () => {
    expect(withoutCookie(`a=1; ${COOKIE}=old; authjs.pkce.code_verifier=v`, COOKIE)).toBe(
      "a=1; authjs.pkce.code_verifier=v",
    );
    expect(withoutCookie(`${COOKIE}=old`, COOKIE)).toBeNull();
    expect(withoutCookie(`x${COOKIE}=keep;${COOKIE}=old`, COOKIE)).toBe(`x${COOKIE}=keep`);
    expect(withoutCookie(null, COOKIE)).toBeNull();
  });
});

describe("setsCookie", () => {
  it("sees a new value, not a deletion", () => {
    const set = new Response(null, { headers: { "set-cookie": `${COOKIE}=new; Path=/; HttpOnly` } });
    const cleared = new Response(null, { headers: { "set-cookie": `${COOKIE}=; Max-Age=0` } });
    expect(setsCookie(set, COOKIE)).toBe(true);
    expect(setsCookie(cleared, COOKIE)).toBe(false);
    expect(setsCookie(new Response(null), COOKIE)).toBe(false);
  });
});

describe("signInWithFreshSession", () => {
  it("hides the browser's session from Auth.js, then deletes it once a new one is set", async () => {
    const authJs = fakeAuthJs(`${COOKIE}=brand-new; Path=/; HttpOnly; SameSite=Lax`);
    const { response, rotated } = await signInWithFreshSession(
      callbackRequest(`${COOKIE}=planted; authjs.state=s`),
      authJs.handler,
    );

    expect(authJs.seen).toEqual(["authjs.state=s"]);
    expect(rotated).toBe(true);
    expect(deleteMany).toHaveBeenCalledWith({ where: { sessionToken: "planted" } });
    expect(response.status).toBe(302);
  });

  it("leaves the old session alone when the sign-in fails", async () => {
    const authJs = fakeAuthJs(null);
    const { rotated } = await signInWithFreshSession(callbackRequest(`${COOKIE}=current`), authJs.handler);

    expect(authJs.seen).toEqual([null]);
    expect(rotated).toBe(false);
    expect(deleteMany).not.toHaveBeenCalled();
  });

  it("passes a request without a session straight through", async () => {
    const authJs = fakeAuthJs(`${COOKIE}=brand-new`);
    const { rotated } = await signInWithFreshSession(callbackRequest("authjs.state=s"), authJs.handler);

    expect(authJs.seen).toEqual(["authjs.state=s"]);
    expect(rotated).toBe(false);
    expect(deleteMany).not.toHaveBeenCalled();
  });
});

/**
 * What a route handler really receives: Next.js (app-route module, `proxyNextRequest`) wraps its
 * NextRequest in a Proxy whose `get` trap reads from the target. On Node 22+ the undici Request
 * keeps its state in private fields, which `new Request(proxy)` cannot reach through the Proxy.
 */
function asNextHandsIt(request: NextRequest): NextRequest {
  return new Proxy(request, { get: (target, prop) => Reflect.get(target, prop, target) });
}

describe("signInWithFreshSession with the request Next.js hands a route", () => {
  it("rotates the session of a GET callback", async () => {
    const authJs = fakeAuthJs(`${COOKIE}=brand-new; Path=/; HttpOnly`);
    const { rotated } = await signInWithFreshSession(
      asNextHandsIt(callbackRequest(`${COOKIE}=planted; authjs.state=s`)),
      authJs.handler,
    );

    expect(authJs.seen).toEqual(["authjs.state=s"]);
    expect(rotated).toBe(true);
  });

  it("keeps the method, URL and form body of a POST callback (response_mode=form_post)", async () => {
    const seen: { method: string; url: string; cookie: string | null; body: string }[] = [];
    const handler = async (request: NextRequest) => {
      seen.push({
        method: request.method,
        url: request.url,
        cookie: request.headers.get("cookie"),
        body: await request.text(),
      });
      return new Response(null, { status: 302, headers: { "set-cookie": `${COOKIE}=brand-new` } });
    };
    const posted = new NextRequest("http://localhost:3000/api/auth/callback/claimtrip", {
      method: "POST",
      headers: { cookie: `${COOKIE}=planted; authjs.state=s`, "content-type": "application/x-www-form-urlencoded" },
      body: "code=c&state=s",
    });

    const { rotated } = await signInWithFreshSession(asNextHandsIt(posted), handler);

    expect(rotated).toBe(true);
    expect(seen).toEqual([
      {
        method: "POST",
        url: "http://localhost:3000/api/auth/callback/claimtrip",
        cookie: "authjs.state=s",
        body: "code=c&state=s",
      },
    ]);
  });
});
