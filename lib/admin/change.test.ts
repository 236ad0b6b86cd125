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
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let t: TestIdp;
let dir: string;
let changeAsAdmin: typeof import("./change").changeAsAdmin;
let deps: ChangeDeps;
/** The real per-admin limiter (the other tests count nothing, so that their many changes all run). */
let countAttempt: ChangeDeps["countAttempt"];
let listAudit: typeof import("./audit").listAudit;
let auditPage: typeof import("./audit").auditPage;
let recordAudit: typeof import("./audit").recordAudit;
let auditCount: () => Promise<number>;

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
    callerRequestId: "req-0123456789",
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
  ({ listAudit, auditPage, recordAudit } = await import("./audit"));
  const { db } = await import("../db");
  auditCount = () => db.auditEvent.count();
  deps = (await import("./deps")).changeDeps();
  countAttempt = deps.countAttempt;
  deps.countAttempt = async () => true;
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
      requestId: expect.stringMatching(UUID),
      callerRequestId: "req-0123456789",
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
    const before = await auditCount();
    const result = await changeAsAdmin(request(bob, "bob", { targetSub: "alice", action: "remove_admin" }), deps);
    expect(result).toEqual({ ok: false, code: "access_token" });
    expect(await rolesAtIdp("alice")).toEqual(["admin"]);
    // Not an admin's act: the app's log has it, the audit log does not.
    expect(await auditCount()).toBe(before);
  });

  it("1. access token: a tampered, a missing, or someone else's admin token", async () => {
    const alice = await aliceSignIn();
    const [header, , signature] = alice.access.split(".");
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(alice.access), sub: "bob" })).toString("base64url");
    const bob = await bobSignIn();
    const before = await auditCount();
    for (const accessToken of [`${header}.${payload}.${signature}`, null, alice.access]) {
      const result = await changeAsAdmin(request(bob, "bob", { accessToken }), deps);
      expect(result).toEqual({ ok: false, code: "access_token" });
    }
    expect(await rolesAtIdp("bob")).toEqual([]);
    expect(await auditCount()).toBe(before);
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

describe("the hardened edges", () => {
  it("records an IdP that cannot be reached as unavailable, not as a refusal at gate 1", async () => {
    const alice = await aliceSignIn();
    // The access token could not be refreshed: the IdP did not answer.
    const noToken = request(alice, "alice", { accessToken: null, accessTokenUnavailable: true });
    expect(await changeAsAdmin(noToken, deps)).toEqual({ ok: false, code: "unavailable" });
    expect((await listAudit(1))[0]).toMatchObject({ actorSub: "alice", outcome: "failed", reason: "idp_unavailable" });
    // The Management API did not answer (gate 2).
    const { createManagementClient } = await import("../management/client");
    const down = createManagementClient({
      tokenEndpoint: async () => "http://127.0.0.1:9/token",
      clientId: "claimtrip-management",
      clientSecret: MANAGEMENT_SECRET,
      audience: "http://127.0.0.1:9/api/v2/",
    });
    expect(await changeAsAdmin(request(alice, "alice"), { ...deps, management: down })).toEqual({
      ok: false,
      code: "unavailable",
    });
    expect((await listAudit(1))[0]).toMatchObject({ outcome: "failed", reason: "management_unavailable" });
    expect(await rolesAtIdp("bob")).toEqual([]);
  });

  it("limits the attempts of one admin; over the limit nothing is verified, asked or audited", async () => {
    const alice = await aliceSignIn();
    const now = Date.now();
    const verify = vi.fn(deps.verifyAdminToken);
    const limited = { ...deps, countAttempt, now: () => now, verifyAdminToken: verify };
    for (let i = 0; i < 10; i += 1) expect((await changeAsAdmin(request(alice, "alice"), limited)).ok).toBe(true);
    const before = await auditCount();
    expect(await changeAsAdmin(request(alice, "alice"), limited)).toEqual({ ok: false, code: "rate_limited" });
    expect(verify).toHaveBeenCalledTimes(10);
    expect(await auditCount()).toBe(before);
    // Another admin has a limit of their own.
    await setRoleNames(t.db, "bob", ["admin"]);
    const bob = await bobSignIn();
    const bobLimited = { ...limited, now: () => now };
    expect(
      (await changeAsAdmin(request(bob, "bob", { targetSub: "alice", action: "assign_admin" }), bobLimited)).ok,
    ).toBe(true);
  });

  it("two admins removing each other at the same moment: one is done, the other refused as last_admin, and audited", async () => {
    await setRoleNames(t.db, "bob", ["admin"]);
    const [alice, bob] = [await aliceSignIn(), await bobSignIn()];
    const results = await Promise.all([
      changeAsAdmin(request(alice, "alice", { targetSub: "bob", action: "remove_admin" }), deps),
      changeAsAdmin(request(bob, "bob", { targetSub: "alice", action: "remove_admin" }), deps),
    ]);
    expect(results.map((r) => (r.ok ? "done" : r.code)).sort()).toEqual(["done", "last_admin"]);
    const admins = [...(await rolesAtIdp("alice")), ...(await rolesAtIdp("bob"))];
    expect(admins).toEqual(["admin"]);
    const outcomes = (await listAudit(2)).map((e) => [e.outcome, e.reason]).sort();
    expect(outcomes).toEqual([
      ["done", null],
      ["refused", "last_admin"],
    ]);
  });

  it("never builds a Management API URL from a user id of . or ..", async () => {
    const alice = await aliceSignIn();
    for (const targetSub of [".", ".."]) {
      expect(await changeAsAdmin(request(alice, "alice", { targetSub, action: "remove_admin" }), deps)).toEqual({
        ok: false,
        code: "not_found",
      });
      expect((await listAudit(1))[0]).toMatchObject({ targetSub, outcome: "failed", reason: "invalid_user_id" });
    }
    expect(await rolesAtIdp("alice")).toEqual(["admin"]);
  });
});

describe("the audit log's pages", () => {
  it("pages newest first, with links to older and newer pages that stay put while entries are added", async () => {
    const add = (i: number) =>
      recordAudit({
        actorSub: "alice",
        targetSub: `page-${i}`,
        action: "assign_admin",
        rolesBefore: [],
        rolesAfter: ["admin"],
        outcome: "done",
        reason: null,
        requestId: null,
        callerRequestId: null,
      });
    for (let i = 0; i < 7; i += 1) await add(i);
    const targets = (page: Awaited<ReturnType<typeof auditPage>>) => page.entries.map((e) => e.targetSub);
    const first = await auditPage({ pageSize: 3 });
    expect(targets(first)).toEqual(["page-6", "page-5", "page-4"]);
    expect(first.newer).toBeNull();
    const second = await auditPage({ pageSize: 3, before: first.older ?? "" });
    expect(targets(second)).toEqual(["page-3", "page-2", "page-1"]);
    const third = await auditPage({ pageSize: 3, before: second.older ?? "" });
    expect(targets(third)[0]).toBe("page-0");
    // Back again, after a new entry arrived: the newer page is the one seen before.
    await add(7);
    const back = await auditPage({ pageSize: 3, after: third.newer ?? "" });
    expect(targets(back)).toEqual(["page-3", "page-2", "page-1"]);
    const top = await auditPage({ pageSize: 3, after: back.newer ?? "" });
    expect(targets(top)).toEqual(["page-6", "page-5", "page-4"]);
    expect(top.newer, "page-7 is newer still").not.toBeNull();
    // A cursor that names nothing gives the newest page.
    expect(targets(await auditPage({ pageSize: 3, before: "no-such-entry" }))[0]).toBe("page-7");
  });
});
