/**
 * The gates of an admin change with stand-ins for the token verifier, the Management API, the
 * sign-in time and the audit log: every branch, every code the result and the audit log give,
 * and the boundaries, in milliseconds. change.test.ts shows the same gates against the real IdP;
 * this file is what `npm run test:mutation` runs against lib/admin/change.ts.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ManagementError, type ManagementClient, type ManagementRole } from "../management/client";
import type { AuthorizeResult } from "../resource-server";
import type { AuditEntry } from "./audit";
import { changeAsAdmin, isRecent, type ChangeDeps, type ChangeRequest } from "./change";

const NOW = 1_800_000_000_000;
const MAX_AGE = 600;
const ADMIN: ManagementRole = { id: "role-admin", name: "admin", description: "Administrator" };
const OTHER: ManagementRole = { id: "role-other", name: "auditor", description: "Reads the audit log" };

interface Harness {
  deps: ChangeDeps;
  audit: AuditEntry[];
  warn: ReturnType<typeof vi.fn>;
  info: ReturnType<typeof vi.fn>;
  child: ReturnType<typeof vi.fn>;
  management: { [K in keyof ManagementClient]: ReturnType<typeof vi.fn> };
  roles: Map<string, ManagementRole[]>;
}

/** alice is admin at the IdP, signed in a minute ago, and holds an admin token; bob holds no role. */
function harness(overrides: Partial<ChangeDeps> = {}): Harness {
  const roles = new Map<string, ManagementRole[]>([
    ["alice", [OTHER, ADMIN]],
    ["bob", []],
  ]);
  const userRoles = async (userId: string) => {
    const found = roles.get(userId);
    if (!found) throw new ManagementError("not_found", "404");
    return found;
  };
  const management = {
    listUsers: vi.fn(),
    listRoles: vi.fn(async () => [OTHER, ADMIN]),
    userRoles: vi.fn(userRoles),
    assignRoles: vi.fn(async (userId: string, ids: readonly string[]) => {
      roles.set(userId, [...(await userRoles(userId)), ...[OTHER, ADMIN].filter((role) => ids.includes(role.id))]);
    }),
    removeRoles: vi.fn(async (userId: string, ids: readonly string[]) => {
      roles.set(
        userId,
        (await userRoles(userId)).filter((role) => !ids.includes(role.id)),
      );
    }),
    revokeAccess: vi.fn(async (userId: string) => void (await userRoles(userId))),
    reset: vi.fn(),
  };
  const audit: AuditEntry[] = [];
  const warn = vi.fn();
  const info = vi.fn();
  const child = vi.fn(() => ({ warn, info }));
  const deps: ChangeDeps = {
    verifyAdminToken: async (token) =>
      ({ ok: true, token: { payload: { sub: token.replace("token-of-", "") }, protectedHeader: {} } }) as never,
    management: management as unknown as ManagementClient,
    authTime: async (idToken, sub) => (idToken === `id-of-${sub}` ? NOW / 1000 - 60 : null),
    maxAgeSeconds: MAX_AGE,
    now: () => NOW,
    endAppSessions: async () => 3,
    countAttempt: async () => true,
    audit: async (entry) => void audit.push(entry),
    log: { child } as never,
    ...overrides,
  };
  return { deps, audit, warn, info, child, management, roles };
}

function request(overrides: Partial<ChangeRequest> = {}): ChangeRequest {
  return {
    actorSub: "alice",
    accessToken: "token-of-alice",
    idToken: "id-of-alice",
    action: "assign_admin",
    targetSub: "bob",
    callerRequestId: "req-1",
    ...overrides,
  };
}

const refusedEntry = (reason: string, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  actorSub: "alice",
  targetSub: "bob",
  action: "assign_admin",
  rolesBefore: null,
  rolesAfter: null,
  outcome: "refused",
  reason,
  requestId: SERVER_REQUEST_ID,
  callerRequestId: "req-1",
  ...overrides,
});

// The request id is the server's own (a UUID per attempt); pinned here so entries compare whole.
beforeEach(() => {
  vi.spyOn(crypto, "randomUUID").mockReturnValue("00000000-0000-4000-8000-000000000001");
});
const SERVER_REQUEST_ID = "00000000-0000-4000-8000-000000000001";

const failure = (status: number): AuthorizeResult => ({ ok: false, error: { status } as never });

describe("a change that passes every gate", () => {
  it("makes bob admin: roles before and after, sorted, in the result, the audit log and the log", async () => {
    const h = harness();
    h.roles.set("bob", [OTHER]);
    const result = await changeAsAdmin(request(), h.deps);
    expect(result).toEqual({
      ok: true,
      data: { rolesBefore: ["auditor"], rolesAfter: ["admin", "auditor"], sessionsEnded: null },
    });
    expect(h.management.listRoles).toHaveBeenCalledWith("admin");
    expect(h.management.assignRoles).toHaveBeenCalledWith("bob", ["role-admin"]);
    expect(h.management.removeRoles).not.toHaveBeenCalled();
    expect(h.management.revokeAccess).not.toHaveBeenCalled();
    expect(h.audit).toEqual([
      {
        actorSub: "alice",
        targetSub: "bob",
        action: "assign_admin",
        rolesBefore: ["auditor"],
        rolesAfter: ["admin", "auditor"],
        outcome: "done",
        reason: null,
        requestId: SERVER_REQUEST_ID,
        callerRequestId: "req-1",
      },
    ]);
    expect(h.child).toHaveBeenCalledWith({
      event: "admin_change",
      action: "assign_admin",
      requestId: SERVER_REQUEST_ID,
      callerRequestId: "req-1",
    });
    expect(h.info).toHaveBeenCalledWith(
      { outcome: "done", targetSub: "bob", sessionsEnded: null },
      "admin change done",
    );
    expect(h.warn).not.toHaveBeenCalled();
  });

  it("removes bob's admin role, and only that", async () => {
    const h = harness();
    h.roles.set("bob", [ADMIN, OTHER]);
    const result = await changeAsAdmin(request({ action: "remove_admin" }), h.deps);
    expect(result).toEqual({
      ok: true,
      data: { rolesBefore: ["admin", "auditor"], rolesAfter: ["auditor"], sessionsEnded: null },
    });
    expect(h.management.removeRoles).toHaveBeenCalledWith("bob", ["role-admin"]);
    expect(h.management.assignRoles).not.toHaveBeenCalled();
  });

  it("signs bob out everywhere: access revoked at the IdP, app sessions ended, no roles read", async () => {
    const endAppSessions = vi.fn(async () => 3);
    const h = harness({ endAppSessions });
    const result = await changeAsAdmin(request({ action: "revoke_access" }), h.deps);
    expect(result).toEqual({ ok: true, data: { rolesBefore: null, rolesAfter: null, sessionsEnded: 3 } });
    expect(h.management.revokeAccess).toHaveBeenCalledWith("bob");
    expect(endAppSessions).toHaveBeenCalledWith("bob");
    expect(h.management.listRoles).not.toHaveBeenCalled();
    expect(h.audit[0]).toMatchObject({ action: "revoke_access", outcome: "done", rolesBefore: null, rolesAfter: null });
    expect(h.info).toHaveBeenCalledWith({ outcome: "done", targetSub: "bob", sessionsEnded: 3 }, "admin change done");
  });

  it("lets an admin give themselves the role again or sign themselves out: only removing it is a lock-out", async () => {
    for (const action of ["assign_admin", "revoke_access"] as const) {
      const h = harness();
      expect((await changeAsAdmin(request({ action, targetSub: "alice" }), h.deps)).ok).toBe(true);
    }
  });
});

describe("gate 1: the access token", () => {
  const beforeTheAudit = (reason: string) => [
    { outcome: "refused", code: "access_token", reason, actorSub: "alice", targetSub: "bob" },
    "admin change refused before the audit",
  ];

  it("refuses no token, or an empty one, without verifying anything, in the app log only", async () => {
    for (const accessToken of [null, ""]) {
      const verifyAdminToken = vi.fn();
      const h = harness({ verifyAdminToken });
      expect(await changeAsAdmin(request({ accessToken }), h.deps)).toEqual({ ok: false, code: "access_token" });
      expect(verifyAdminToken).not.toHaveBeenCalled();
      expect(h.audit).toEqual([]);
      expect(h.warn).toHaveBeenCalledWith(...beforeTheAudit("no_access_token"));
    }
  });

  it("records a token that could not be had because the IdP did not answer as failed, not refused", async () => {
    const h = harness();
    const result = await changeAsAdmin(request({ accessToken: null, accessTokenUnavailable: true }), h.deps);
    expect(result).toEqual({ ok: false, code: "unavailable" });
    expect(h.audit).toEqual([refusedEntry("idp_unavailable", { outcome: "failed" })]);
  });

  it("refuses a token the verifier refuses (4xx) in the log only, and fails when it cannot verify (5xx, from 500 on)", async () => {
    for (const status of [401, 403, 499]) {
      const h = harness({ verifyAdminToken: async () => failure(status) });
      expect(await changeAsAdmin(request(), h.deps)).toEqual({ ok: false, code: "access_token" });
      expect(h.audit).toEqual([]);
      expect(h.warn).toHaveBeenCalledWith(...beforeTheAudit("access_token"));
      expect(h.management.userRoles).not.toHaveBeenCalled();
    }
    for (const status of [500, 503]) {
      const h = harness({ verifyAdminToken: async () => failure(status) });
      expect(await changeAsAdmin(request(), h.deps)).toEqual({ ok: false, code: "unavailable" });
      expect(h.audit).toEqual([refusedEntry("idp_keys_unavailable", { outcome: "failed" })]);
      expect(h.warn).toHaveBeenCalledWith(
        { outcome: "failed", code: "unavailable", reason: "idp_keys_unavailable" },
        "admin change failed",
      );
      expect(h.management.userRoles).not.toHaveBeenCalled();
    }
  });

  it("refuses another admin's valid token, in the log only", async () => {
    const h = harness();
    h.roles.set("bob", [ADMIN]);
    const result = await changeAsAdmin(request({ accessToken: "token-of-bob" }), h.deps);
    expect(result).toEqual({ ok: false, code: "access_token" });
    expect(h.audit).toEqual([]);
    expect(h.warn).toHaveBeenCalledWith(...beforeTheAudit("token_of_another_user"));
    expect(h.management.userRoles).not.toHaveBeenCalled();
  });

  it("refuses an actor over the attempt limit before any gate, in the log only", async () => {
    const verifyAdminToken = vi.fn();
    const h = harness({ verifyAdminToken, countAttempt: async () => false });
    expect(await changeAsAdmin(request(), h.deps)).toEqual({ ok: false, code: "rate_limited" });
    expect(verifyAdminToken).not.toHaveBeenCalled();
    expect(h.audit).toEqual([]);
  });
});

describe("gate 2: the fresh check at the IdP", () => {
  it("refuses an actor the IdP no longer lists as admin", async () => {
    const h = harness();
    h.roles.set("alice", [OTHER]);
    expect(await changeAsAdmin(request(), h.deps)).toEqual({ ok: false, code: "fresh_check" });
    expect(h.audit).toEqual([refusedEntry("fresh_check")]);
    expect(h.management.userRoles).toHaveBeenCalledWith("alice");
    expect(h.management.listRoles).not.toHaveBeenCalled();
  });

  it("refuses an actor the IdP does not know", async () => {
    const h = harness();
    h.roles.delete("alice");
    expect(await changeAsAdmin(request(), h.deps)).toEqual({ ok: false, code: "fresh_check" });
    expect(h.audit).toEqual([refusedEntry("fresh_check")]);
  });

  it("fails, and says why, when the Management API cannot answer", async () => {
    for (const [errorCode, code] of [
      ["unavailable", "unavailable"],
      ["refused", "unavailable"],
      ["not_configured", "not_configured"],
    ] as const) {
      const h = harness();
      h.management.userRoles.mockRejectedValueOnce(new ManagementError(errorCode, "test"));
      expect(await changeAsAdmin(request(), h.deps)).toEqual({ ok: false, code });
      expect(h.audit).toEqual([refusedEntry(`management_${code}`, { outcome: "failed" })]);
      expect(h.warn).toHaveBeenCalledWith(
        { outcome: "failed", code, reason: `management_${code}` },
        "admin change failed",
      );
    }
  });

  it("lets an unexpected error through instead of calling it a refusal", async () => {
    const h = harness();
    const bug = new TypeError("bug");
    h.management.userRoles.mockRejectedValueOnce(bug);
    await expect(changeAsAdmin(request(), h.deps)).rejects.toBe(bug);
    expect(h.audit).toEqual([]);
  });
});

describe("gate 3: a recent sign-in", () => {
  it("asks for the actor's own sign-in time, and refuses none", async () => {
    const authTime = vi.fn(async () => null);
    const h = harness({ authTime });
    expect(await changeAsAdmin(request(), h.deps)).toEqual({ ok: false, code: "recent_sign_in" });
    expect(authTime).toHaveBeenCalledWith("id-of-alice", "alice");
    expect(h.audit).toEqual([refusedEntry("recent_sign_in")]);
    expect(h.management.listRoles).not.toHaveBeenCalled();
  });

  it("accepts a sign-in exactly the max age old at deps.now(), and refuses one a second older", async () => {
    const at = (age: number) => harness({ authTime: async () => NOW / 1000 - age });
    expect((await changeAsAdmin(request(), at(MAX_AGE).deps)).ok).toBe(true);
    expect(await changeAsAdmin(request(), at(MAX_AGE + 1).deps)).toEqual({ ok: false, code: "recent_sign_in" });
  });
});

describe("the lock-out guard", () => {
  it("refuses an admin's removal of their own admin role, after every gate, before the IdP is asked", async () => {
    const h = harness();
    const result = await changeAsAdmin(request({ action: "remove_admin", targetSub: "alice" }), h.deps);
    expect(result).toEqual({ ok: false, code: "self_lockout" });
    expect(h.audit).toEqual([refusedEntry("self_lockout", { action: "remove_admin", targetSub: "alice" })]);
    expect(h.management.removeRoles).not.toHaveBeenCalled();
    expect(h.roles.get("alice")).toEqual([OTHER, ADMIN]);
  });
});

describe("failures at the IdP during the change", () => {
  it("fails when the IdP has no admin role (only a role of another name)", async () => {
    const h = harness();
    h.management.listRoles.mockResolvedValueOnce([OTHER]);
    expect(await changeAsAdmin(request(), h.deps)).toEqual({ ok: false, code: "not_found" });
    expect(h.audit).toEqual([refusedEntry("no_admin_role", { outcome: "failed" })]);
    expect(h.management.assignRoles).not.toHaveBeenCalled();
  });

  it("records an unknown target as failed, for each action", async () => {
    for (const action of ["assign_admin", "remove_admin", "revoke_access"] as const) {
      const h = harness();
      const result = await changeAsAdmin(request({ action, targetSub: "nobody" }), h.deps);
      expect(result).toEqual({ ok: false, code: "not_found" });
      expect(h.audit).toEqual([refusedEntry("unknown_user", { action, targetSub: "nobody", outcome: "failed" })]);
    }
  });

  it("records the roles read before a change that then failed, as both before and after", async () => {
    const h = harness();
    h.roles.set("bob", [OTHER]);
    h.management.assignRoles.mockRejectedValueOnce(new ManagementError("unavailable", "503"));
    expect(await changeAsAdmin(request(), h.deps)).toEqual({ ok: false, code: "unavailable" });
    expect(h.audit).toEqual([
      refusedEntry("management_unavailable", { outcome: "failed", rolesBefore: ["auditor"], rolesAfter: ["auditor"] }),
    ]);
  });

  it("does not end app sessions when the IdP could not revoke access", async () => {
    const endAppSessions = vi.fn(async () => 1);
    const h = harness({ endAppSessions });
    h.management.revokeAccess.mockRejectedValueOnce(new ManagementError("not_configured", "no secret"));
    const result = await changeAsAdmin(request({ action: "revoke_access" }), h.deps);
    expect(result).toEqual({ ok: false, code: "not_configured" });
    expect(endAppSessions).not.toHaveBeenCalled();
    expect(h.audit[0]).toMatchObject({ outcome: "failed", reason: "management_not_configured" });
  });
});

describe("what the IdP refuses during the change", () => {
  it("refuses taking the admin role from its last holder (a 409), and says so in the audit log and the log", async () => {
    const h = harness();
    h.roles.set("bob", [ADMIN]);
    h.management.removeRoles.mockRejectedValueOnce(new ManagementError("conflict", "409"));
    const result = await changeAsAdmin(request({ action: "remove_admin" }), h.deps);
    expect(result).toEqual({ ok: false, code: "last_admin" });
    expect(h.audit).toEqual([
      refusedEntry("last_admin", { action: "remove_admin", rolesBefore: ["admin"], rolesAfter: ["admin"] }),
    ]);
    expect(h.warn).toHaveBeenCalledWith(
      { outcome: "refused", code: "last_admin", reason: "last_admin" },
      "admin change refused",
    );
  });

  it("records a target id the IdP cannot read as failed, not_found, invalid_user_id", async () => {
    for (const action of ["assign_admin", "revoke_access"] as const) {
      const h = harness();
      const failing = action === "revoke_access" ? h.management.revokeAccess : h.management.userRoles;
      if (action === "assign_admin")
        h.management.userRoles.mockImplementation(async (userId: string) => {
          if (userId === "bob") throw new ManagementError("invalid_user_id", "400");
          return [OTHER, ADMIN];
        });
      else failing.mockRejectedValueOnce(new ManagementError("invalid_user_id", "400"));
      expect(await changeAsAdmin(request({ action }), h.deps)).toEqual({ ok: false, code: "not_found" });
      expect(h.audit).toEqual([refusedEntry("invalid_user_id", { action, outcome: "failed" })]);
      expect(h.warn).toHaveBeenCalledWith(
        { outcome: "failed", code: "not_found", reason: "invalid_user_id" },
        "admin change failed",
      );
    }
  });

  it("calls an actor id the IdP cannot read a failed fresh check, as it does an unknown actor", async () => {
    const h = harness();
    h.management.userRoles.mockRejectedValueOnce(new ManagementError("invalid_user_id", "400"));
    expect(await changeAsAdmin(request(), h.deps)).toEqual({ ok: false, code: "fresh_check" });
    expect(h.audit).toEqual([refusedEntry("fresh_check")]);
    expect(h.warn).toHaveBeenCalledWith(
      { outcome: "refused", code: "fresh_check", reason: "fresh_check" },
      "admin change refused",
    );
  });

  it("logs an actor over the attempt limit with the reason rate_limited", async () => {
    const h = harness({ countAttempt: async () => false });
    await changeAsAdmin(request(), h.deps);
    expect(h.warn).toHaveBeenCalledWith(
      { outcome: "refused", code: "rate_limited", reason: "rate_limited", actorSub: "alice", targetSub: "bob" },
      "admin change refused before the audit",
    );
  });
});

describe("isRecent, gate 3's rule", () => {
  const now = NOW;
  it("takes a sign-in up to 5 s in the future (clock skew), not a millisecond more", () => {
    expect(isRecent(now / 1000 + 5, MAX_AGE, now)).toBe(true);
    expect(isRecent(now / 1000 + 5.001, MAX_AGE, now)).toBe(false);
    expect(isRecent(now / 1000 + 3600, MAX_AGE, now)).toBe(false);
    expect(isRecent(now / 1000 + 3600, Number.MAX_SAFE_INTEGER, now)).toBe(false);
  });

  it("takes one exactly maxAgeSeconds old, not a millisecond older", () => {
    expect(isRecent(now / 1000 - MAX_AGE, MAX_AGE, now)).toBe(true);
    expect(isRecent(now / 1000 - MAX_AGE - 0.001, MAX_AGE, now)).toBe(false);
  });

  it("never calls a missing sign-in time recent, whatever the max age", () => {
    expect(isRecent(null, MAX_AGE, now)).toBe(false);
    expect(isRecent(null, Number.MAX_SAFE_INTEGER, now)).toBe(false);
  });
});
