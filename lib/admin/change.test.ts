/**
 * An admin's change against the real local IdP: real access and ID tokens from the real login,
 * the real Management API client with its client-credentials token, the app's verifier, and the
 * audit log in a migrated database. Each gate is shown refusing while the others would pass, and
 * every attempt, done or refused, leaves its audit row.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { setRoleNames } from "../../idp/roles.ts";
import {
  authorize,
  exchangeCode,
  MANAGEMENT_SECRET,
  startTestIdp,
  tokenRequest,
  WEB_SECRET,
  type TestIdp,
} from "../../idp/testing/harness.ts";
import { migrate } from "../../scripts/migrate.ts";
import type { ChangeDeps, ChangeRequest } from "./change";

const API = "http://localhost:3000/api";
const MAX_AGE = 600;

let t: TestIdp;
let dir: string;
let changeAsAdmin: typeof import("./change").changeAsAdmin;
let deps: ChangeDeps;
let listAudit: typeof import("./audit").listAudit;

interface Tokens {
  access: string;
  id: string;
  refresh: string;
}

async function signIn(email: string, password: string): Promise<Tokens> {
  const tokens = await exchangeCode(t, await authorize(t, { params: { audience: API }, email, password }));
  expect(tokens.status).toBe(200);
  return {
    access: String(tokens.body.access_token),
    id: String(tokens.body.id_token),
    refresh: String(tokens.body.refresh_token),
  };
}

const aliceSignIn = () => signIn("alice@example.com", "alice-password");
const bobSignIn = () => signIn("bob@example.com", "bob-password");

async function rolesAtIdp(userId: string): Promise<string[]> {
  const rows = await t.db.idpUserRole.findMany({ where: { userId }, include: { role: true } });
  return rows.map((row) => row.role.name);
}

function request(actor: Tokens, actorSub: string, overrides: Partial<ChangeRequest> = {}): ChangeRequest {
  return {
    actorSub,
    accessToken: actor.access,
    idToken: actor.id,
    action: "assign_admin",
    targetSub: "bob",
    requestId: "req-0123456789",
    ...overrides,
  };
}

beforeAll(async () => {
  t = await startTestIdp();
  dir = mkdtempSync(join(tmpdir(), "claimtrip-admin-"));
  const databaseUrl = `file:${join(dir, "app.db")}`;
  await migrate(databaseUrl);
  const settings: Record<string, string | undefined> = {
    NODE_ENV: "test",
    AUTH_SECRET: "admin-test-auth-secret-0123456789abcdef",
    AUTH_ISSUER: t.issuer,
    AUTH_CLIENT_ID: "claimtrip-web",
    AUTH_CLIENT_SECRET: WEB_SECRET,
    API_AUDIENCE: API,
    MANAGEMENT_CLIENT_SECRET: MANAGEMENT_SECRET,
    MANAGEMENT_AUDIENCE: undefined,
    ADMIN_REAUTH_MAX_AGE: String(MAX_AGE),
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: "silent",
    AUTH_URL: undefined,
  };
  for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
  vi.resetModules();
  ({ changeAsAdmin } = await import("./change"));
  ({ listAudit } = await import("./audit"));
  deps = (await import("./deps")).changeDeps();
});

afterAll(async () => {
  const cached = globalThis as { claimtripDb?: { $disconnect(): Promise<void> } };
  await cached.claimtripDb?.$disconnect();
  delete cached.claimtripDb;
  vi.unstubAllEnvs();
  vi.resetModules();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await setRoleNames(t.db, "alice", ["admin"]);
  await setRoleNames(t.db, "bob", []);
});

describe("a change that passes every gate", () => {
  it("makes bob admin and removes it again, each recorded as done with the roles before and after", async () => {
    const alice = await aliceSignIn();
    const made = await changeAsAdmin(request(alice, "alice"), deps);
    expect(made).toEqual({ ok: true, data: { rolesBefore: [], rolesAfter: ["admin"], sessionsEnded: null } });
    expect(await rolesAtIdp("bob")).toEqual(["admin"]);
    expect((await listAudit(1))[0]).toMatchObject({
      actorSub: "alice",
      targetSub: "bob",
      action: "assign_admin",
      rolesBefore: [],
      rolesAfter: ["admin"],
      outcome: "done",
      reason: null,
      requestId: "req-0123456789",
    });

    const removed = await changeAsAdmin(request(alice, "alice", { action: "remove_admin" }), deps);
    expect(removed.ok).toBe(true);
    expect(await rolesAtIdp("bob")).toEqual([]);
    expect((await listAudit(2)).map((e) => [e.action, e.outcome, e.rolesBefore, e.rolesAfter])).toEqual([
      ["remove_admin", "done", ["admin"], []],
      ["assign_admin", "done", [], ["admin"]],
    ]);
  });

  it("signs bob out everywhere: his refresh token dies at the IdP", async () => {
    const alice = await aliceSignIn();
    const bob = await bobSignIn();
    const result = await changeAsAdmin(request(alice, "alice", { action: "revoke_access" }), deps);
    expect(result).toEqual({ ok: true, data: { rolesBefore: null, rolesAfter: null, sessionsEnded: 0 } });
    const refresh = await tokenRequest(t, { grant_type: "refresh_token", refresh_token: bob.refresh });
    expect(refresh.body.error).toBe("invalid_grant");
    expect((await listAudit(1))[0]).toMatchObject({ action: "revoke_access", outcome: "done", targetSub: "bob" });
  });
});

describe("the three gates, each refusing alone", () => {
  it("1. access token: bob's token does not say admin, though the IdP and his sign-in would let him", async () => {
    const bob = await bobSignIn();
    await setRoleNames(t.db, "bob", ["admin"]); // fresh check would pass; his token predates it
    expect(decodeJwt(bob.access)["https://claimtrip.example/roles"]).toEqual([]);
    const result = await changeAsAdmin(request(bob, "bob", { targetSub: "alice", action: "remove_admin" }), deps);
    expect(result).toEqual({ ok: false, code: "access_token" });
    expect(await rolesAtIdp("alice")).toEqual(["admin"]);
    expect((await listAudit(1))[0]).toMatchObject({
      actorSub: "bob",
      targetSub: "alice",
      outcome: "refused",
      reason: "access_token",
    });
  });

  it("1. access token: a tampered, a missing, or someone else's admin token", async () => {
    const alice = await aliceSignIn();
    const [header, , signature] = alice.access.split(".");
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(alice.access), sub: "bob" })).toString("base64url");
    const bob = await bobSignIn();
    for (const accessToken of [`${header}.${payload}.${signature}`, null, alice.access]) {
      const result = await changeAsAdmin(request(bob, "bob", { accessToken }), deps);
      expect(result).toEqual({ ok: false, code: "access_token" });
    }
    expect(await rolesAtIdp("bob")).toEqual([]);
  });

  it("2. fresh check: bob's token still says admin, but the IdP no longer does", async () => {
    await setRoleNames(t.db, "bob", ["admin"]);
    const bob = await bobSignIn();
    expect(decodeJwt(bob.access)["https://claimtrip.example/roles"]).toEqual(["admin"]);
    await setRoleNames(t.db, "bob", []);
    const result = await changeAsAdmin(request(bob, "bob", { targetSub: "bob", action: "assign_admin" }), deps);
    expect(result).toEqual({ ok: false, code: "fresh_check" });
    expect(await rolesAtIdp("bob")).toEqual([]);
    expect((await listAudit(1))[0]).toMatchObject({
      actorSub: "bob",
      outcome: "refused",
      reason: "fresh_check",
      rolesBefore: null,
    });
  });

  it("3. recent sign-in: alice's sign-in is older than the max age", async () => {
    const alice = await aliceSignIn();
    const authTime = Number(decodeJwt(alice.id).auth_time);
    expect(authTime).toBeGreaterThan(0);
    const later = { ...deps, now: () => (authTime + MAX_AGE + 1) * 1000 };
    expect(await changeAsAdmin(request(alice, "alice"), later)).toEqual({ ok: false, code: "recent_sign_in" });
    expect(await rolesAtIdp("bob")).toEqual([]);
    expect((await listAudit(1))[0]).toMatchObject({ actorSub: "alice", outcome: "refused", reason: "recent_sign_in" });
    // The same request just inside the max age goes through.
    const inTime = { ...deps, now: () => (authTime + MAX_AGE - 1) * 1000 };
    expect((await changeAsAdmin(request(alice, "alice"), inTime)).ok).toBe(true);
  });

  it("3. recent sign-in: a refreshed ID token keeps the sign-in's auth_time, so a refresh does not make a sign-in recent", async () => {
    const alice = await aliceSignIn();
    const refreshed = await tokenRequest(t, { grant_type: "refresh_token", refresh_token: alice.refresh });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(String(refreshed.body.id_token)).auth_time).toBe(decodeJwt(alice.id).auth_time);
    const authTime = Number(decodeJwt(alice.id).auth_time);
    const later = { ...deps, now: () => (authTime + MAX_AGE + 1) * 1000 };
    const tokens = { access: String(refreshed.body.access_token), id: String(refreshed.body.id_token), refresh: "" };
    expect(await changeAsAdmin(request(tokens, "alice"), later)).toEqual({ ok: false, code: "recent_sign_in" });
  });

  it("3. recent sign-in: no ID token, a forged one, or another user's", async () => {
    const alice = await aliceSignIn();
    const bob = await bobSignIn();
    const [header, , signature] = alice.id.split(".");
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(alice.id), auth_time: Math.floor(Date.now() / 1000) + 3600 })).toString("base64url")}.${signature}`;
    for (const idToken of [null, forged, bob.id]) {
      expect(await changeAsAdmin(request(alice, "alice", { idToken }), deps)).toEqual({
        ok: false,
        code: "recent_sign_in",
      });
    }
    expect(await rolesAtIdp("bob")).toEqual([]);
  });
});

describe("the lock-out guard", () => {
  it("refuses an admin's removal of their own admin role, and records it", async () => {
    const alice = await aliceSignIn();
    const result = await changeAsAdmin(request(alice, "alice", { targetSub: "alice", action: "remove_admin" }), deps);
    expect(result).toEqual({ ok: false, code: "self_lockout" });
    expect(await rolesAtIdp("alice")).toEqual(["admin"]);
    expect((await listAudit(1))[0]).toMatchObject({
      actorSub: "alice",
      targetSub: "alice",
      outcome: "refused",
      reason: "self_lockout",
    });
  });
});

describe("failures", () => {
  it("records an unknown target as failed", async () => {
    const alice = await aliceSignIn();
    expect(await changeAsAdmin(request(alice, "alice", { targetSub: "nobody" }), deps)).toEqual({
      ok: false,
      code: "not_found",
    });
    expect((await listAudit(1))[0]).toMatchObject({ targetSub: "nobody", outcome: "failed", reason: "unknown_user" });
  });
});
