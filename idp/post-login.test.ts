/**
 * Post-login actions inside real flows: what they see, where their claims land, and how a
 * deny or a failure ends a login or a refresh without a token.
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PostLoginAction, PostLoginEvent } from "./actions/types.ts";
import { parseSettings } from "./env.ts";
import { createIdp } from "./app.ts";
import { authorize, exchangeCode, startTestIdp, tokenRequest, type TestIdp } from "./testing/harness.ts";

const API = "http://localhost:3000/api";
const TRACE = "https://claimtrip.example/trace";

/** What the test wants the switchable action to do next. */
let mode: "allow" | "deny" | "throw" | "bad-name" = "allow";
const seen: PostLoginEvent[] = [];

const recorder: PostLoginAction = {
  name: "recorder",
  onExecutePostLogin(event, api) {
    seen.push(event);
    api.idToken.setCustomClaim(TRACE, "id-token-only");
  },
};

const switchable: PostLoginAction = {
  name: "switchable",
  async onExecutePostLogin(event, api) {
    if (mode === "deny") api.access.deny(`${event.user.email} is suspended`);
    if (mode === "throw") throw new Error("directory lookup exploded");
    if (mode === "bad-name") api.accessToken.setCustomClaim(["ro", "les"].join(""), ["admin"]);
  },
};

let t: TestIdp;

beforeAll(async () => {
  t = await startTestIdp({ actions: [recorder, switchable] });
});
afterAll(() => t?.close());
beforeEach(() => {
  mode = "allow";
  seen.length = 0;
});

async function tokenRows(): Promise<number> {
  return t.db.idpOidcModel.count({ where: { kind: { in: ["AuthorizationCode", "AccessToken", "RefreshToken"] } } });
}

describe("at login", () => {
  it("hands actions an Auth0-shaped event and puts ID-token claims in the ID token only", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const tokens = await exchangeCode(t, result);
    expect(decodeJwt(String(tokens.body.id_token))[TRACE]).toBe("id-token-only");
    expect(decodeJwt(String(tokens.body.access_token))).not.toHaveProperty(TRACE);

    const login = seen[0];
    expect(login).toMatchObject({
      user: { user_id: "alice", email: "alice@example.com", name: "Alice", app_metadata: {} },
      authorization: { roles: ["admin"] },
      client: { client_id: "claimtrip-web", name: "Claimtrip" },
      resource_server: { identifier: API },
      transaction: { protocol: "oidc-basic-profile" },
      secrets: { API_AUDIENCE: API },
    });
    expect(login?.transaction.requested_scopes).toEqual(expect.arrayContaining(["openid", "offline_access"]));
    expect(login?.request.query.client_id).toBe("claimtrip-web");
    const atToken = seen.at(-1);
    expect(atToken?.request.body.grant_type).toBe("authorization_code");
    expect(Object.keys(atToken?.request.body ?? {})).not.toContain("code");
    expect(Object.keys(atToken?.request.body ?? {})).not.toContain("code_verifier");
  });

  it("ends the login with access_denied and the action's reason when an action denies", async () => {
    const before = await tokenRows();
    mode = "deny";
    const result = await authorize(t, { params: { audience: API } });
    expect(result.callback.searchParams.get("error")).toBe("access_denied");
    expect(result.callback.searchParams.get("error_description")).toBe("alice@example.com is suspended");
    expect(result.callback.searchParams.has("code")).toBe(false);
    expect(await tokenRows()).toBe(before);
  });

  it("fails the login cleanly when an action throws: an OAuth error, a log line, no code, no token", async () => {
    const before = await tokenRows();
    mode = "throw";
    const result = await authorize(t, { params: { audience: API } });
    expect(result.callback.searchParams.get("error")).toBe("server_error");
    expect(result.callback.searchParams.get("error_description")).toMatch(/post-login action failed/);
    expect(result.callback.searchParams.get("state")).toBe(result.state);
    expect(result.callback.searchParams.has("code")).toBe(false);
    expect(await tokenRows()).toBe(before);
    const line = t.logs.find((l) => l.msg === "post-login action failed; sign-in stopped");
    expect(line).toMatchObject({ level: "error", action: "switchable", client_id: "claimtrip-web" });
    expect(JSON.stringify(line)).toMatch(/directory lookup exploded/);
  });

  it("fails the login when an action sets a claim Auth0 would drop, saying why", async () => {
    mode = "bad-name";
    const result = await authorize(t, { params: { audience: API } });
    expect(result.callback.searchParams.get("error")).toBe("server_error");
    const failures = t.logs.filter((l) => l.msg === "post-login action failed; sign-in stopped");
    expect(JSON.stringify(failures.at(-1))).toMatch(/"roles\\" is not namespaced/);
  });
});

describe("at refresh", () => {
  async function signedIn() {
    const result = await authorize(t, { params: { audience: API } });
    const tokens = await exchangeCode(t, result);
    expect(tokens.status).toBe(200);
    return String(tokens.body.refresh_token);
  }
  const refresh = (token: string) => tokenRequest(t, { grant_type: "refresh_token", refresh_token: token });

  it("runs the actions again, as a refresh", async () => {
    const token = await signedIn();
    seen.length = 0;
    expect((await refresh(token)).status).toBe(200);
    expect(seen[0]?.transaction.protocol).toBe("oauth2-refresh-token");
    expect(Object.keys(seen[0]?.request.body ?? {})).not.toContain("refresh_token");
  });

  it("returns access_denied when an action denies, and leaves the refresh token usable", async () => {
    const token = await signedIn();
    mode = "deny";
    const denied = await refresh(token);
    expect(denied.status).toBe(400);
    expect(denied.body).toEqual({ error: "access_denied", error_description: "alice@example.com is suspended" });
    mode = "allow";
    // Had the token been rotated before the actions ran, this would look like reuse and revoke the grant.
    expect((await refresh(token)).status).toBe(200);
  });

  it("returns server_error when an action throws, and mints nothing", async () => {
    const token = await signedIn();
    const before = await t.db.idpOidcModel.count({ where: { kind: "AccessToken" } });
    mode = "throw";
    const failed = await refresh(token);
    expect(failed.status).toBe(500);
    expect(failed.body.error).toBe("server_error");
    expect(failed.body).not.toHaveProperty("access_token");
    expect(await t.db.idpOidcModel.count({ where: { kind: "AccessToken" } })).toBe(before);
  });
});

describe("loading actions", () => {
  it("refuses to start with an action that writes a non-namespaced claim", async () => {
    // Points nowhere real: the action check must stop start-up before keys or database are touched.
    const settings = parseSettings({
      IDP_WEB_CLIENT_SECRET: "x".repeat(20),
      IDP_COOKIE_KEYS: "y".repeat(20),
      IDP_DATA_DIR: join(tmpdir(), "claimtrip-never-created"),
      DATABASE_URL: "file:/nonexistent/claimtrip.db",
    });
    const bad: PostLoginAction = {
      name: "bad",
      onExecutePostLogin(_event, api) {
        api.accessToken.setCustomClaim("roles", ["admin"]);
      },
    };
    await expect(createIdp({ settings, actions: [bad] })).rejects.toThrow(/Action "bad": "roles" is not namespaced/);
    expect(existsSync(settings.IDP_DATA_DIR)).toBe(false);
  });
});
