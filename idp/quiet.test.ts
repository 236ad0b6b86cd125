/**
 * oidc-provider prints its warnings and notices with console.warn / console.info, outside our
 * logs: a body parser in front of it ("already parsed request body detected"), a default it
 * wants replaced ("default ttl.ClientCredentials function called", "default
 * features.revocation.allowedPolicy"). None may appear on a sign-in with `audience`, a refresh
 * that names it again, a management call, a revocation or a sign-out; and our own log lines
 * carry the shape both programs share.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { hiddenFields } from "./testing/browser.ts";
import { WEB_CLIENT_ID } from "./clients.ts";
import {
  authorize,
  exchangeCode,
  managementTokenRequest,
  startTestIdp,
  tokenRequest,
  WEB_SECRET,
  type TestIdp,
} from "./testing/harness.ts";

const API = "http://localhost:3000/api";
let t: TestIdp;
const printed: string[] = [];

beforeAll(async () => {
  for (const method of ["warn", "info", "log", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" ")));
  }
  t = await startTestIdp();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await t?.close();
});

describe("oidc-provider stays quiet", () => {
  it("prints nothing of its own through sign-in, refresh, a management call, revocation and sign-out", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const tokens = await exchangeCode(t, result, "basic", { audience: API });
    expect(tokens.status).toBe(200);
    const refreshed = await tokenRequest(t, {
      grant_type: "refresh_token",
      refresh_token: String(tokens.body.refresh_token),
      audience: API,
    });
    expect(refreshed.status).toBe(200);
    // An audience the grant does not cover is refused, as when it was rewritten to `resource`.
    const other = await tokenRequest(t, {
      grant_type: "refresh_token",
      refresh_token: String(refreshed.body.refresh_token),
      audience: "urn:claimtrip:nothing",
    });
    expect(other.body.error).toBe("invalid_target");

    const management = await managementTokenRequest(t, { audience: `${t.issuer}/api/v2/` });
    expect(management.status).toBe(200);
    const roles = await fetch(new URL("/api/v2/roles", t.issuer), {
      headers: { authorization: `Bearer ${String(management.body.access_token)}` },
    });
    expect(roles.status).toBe(200);

    const revoked = await fetch(new URL("/token/revocation", t.issuer), {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${WEB_CLIENT_ID}:${WEB_SECRET}`).toString("base64")}`,
      },
      body: new URLSearchParams({ token: String(refreshed.body.refresh_token), token_type_hint: "refresh_token" }),
    });
    expect(revoked.status).toBe(200);

    const end = new URL("/session/end", t.issuer);
    end.search = new URLSearchParams({
      id_token_hint: String(tokens.body.id_token),
      post_logout_redirect_uri: `${t.settings.APP_URL}/`,
    }).toString();
    const confirm = await result.browser.navigate(end);
    await result.browser.navigate("/session/end/confirm", { form: hiddenFields(confirm) });

    expect(printed.filter((line) => /oidc-provider/i.test(line))).toEqual([]);
  });

  it("logs level names, ISO time, service and the request's id, as the app does", async () => {
    const response = await fetch(new URL("/healthz", t.issuer));
    const reqId = response.headers.get("x-request-id");
    expect(reqId).toMatch(/^[0-9a-f-]{36}$/);
    const line = t.logs.find((entry) => entry.reqId === reqId && entry.msg === "request");
    expect(line).toMatchObject({ level: "debug", service: "idp", method: "GET", path: "/healthz", status: 200 });
    expect(String(line?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Lines written by oidc-provider's events inside a request carry its id too.
    expect(t.logs.find((entry) => entry.msg === "tokens issued")?.reqId).toEqual(expect.any(String));
  });
});
