/**
 * An admin's change to another user: make admin, remove admin, or sign out everywhere. Every
 * attempt is counted against the acting admin's limit (lib/admin/rate-limit.ts), then passes
 * three gates, in this order. An attempt that passed gate 1 is written to the audit log however
 * it ends; a refusal before it goes to the app's log only (anyone signed in can post the action:
 * the audit log is for what admins did). An IdP that cannot be reached is recorded as
 * `unavailable`, never as a refusal.
 *
 * 1. **access token**: the acting admin's access token passes the same verification as
 *    GET /api/admin (signature, issuer, audience, type, expiry, roles claim says admin);
 * 2. **fresh check**: the IdP's Management API says the acting admin holds the admin role *now*.
 *    A token can be one lifetime stale; this check is not. Costs one Management API call;
 * 3. **recent sign-in**: the acting admin's verified ID token has an `auth_time` at most
 *    ADMIN_REAUTH_MAX_AGE seconds old. Otherwise the caller sends them to type their password.
 *
 * Then one guard: nobody removes their own admin role (another admin must); and the IdP itself
 * refuses to take the admin role from its last holder (`last_admin`, a 409).
 */
import "server-only";
import { ADMIN_ROLE } from "../shared/claims";
import type { Logger } from "../logger";
import { ManagementError, type ManagementClient, type ManagementRole } from "../management/client";
import type { AuthorizeResult } from "../resource-server";
import type { AuditAction, AuditEntry } from "./audit";

/** The gates, in order, and the guard, as the audit log names them. */
export type Gate = "access_token" | "fresh_check" | "recent_sign_in";
export type Refusal = Gate | "self_lockout" | "last_admin";

/** Why a change did not happen. */
export type ChangeCode = Refusal | "rate_limited" | "not_found" | "unavailable" | "not_configured";

export type ChangeResult =
  | { ok: true; data: { rolesBefore: string[] | null; rolesAfter: string[] | null; sessionsEnded: number | null } }
  | { ok: false; code: ChangeCode };

export interface ChangeRequest {
  /** The acting admin's `sub` at the IdP, from the app's own record of their sign-in. */
  actorSub: string;
  /** Their access token for the app's API; null when none could be had. */
  accessToken: string | null;
  /** Why there is no access token, when the IdP could not be reached to refresh it. */
  accessTokenUnavailable?: boolean;
  /** Their ID token as the app stores it. */
  idToken: string | null;
  action: AuditAction;
  targetSub: string;
  /** The `x-request-id` the request arrived with (possibly the caller's own): stored apart, labelled. */
  callerRequestId: string | null;
}

export interface ChangeDeps {
  verifyAdminToken(token: string): Promise<AuthorizeResult>;
  management: ManagementClient;
  /** The verified `auth_time` of the ID token, or null (lib/admin/recent-sign-in.ts). */
  authTime(idToken: string | null, sub: string): Promise<number | null>;
  maxAgeSeconds: number;
  now(): number;
  /** Ends the target's sessions in this app; returns how many. */
  endAppSessions(targetSub: string): Promise<number>;
  /** Counts an attempt of the actor; false when they are over their limit (lib/admin/rate-limit.ts). */
  countAttempt(actorSub: string, now: number): Promise<boolean>;
  audit(entry: AuditEntry): Promise<void>;
  log: Logger;
}

const names = (roles: ManagementRole[]) => roles.map((role) => role.name).sort();

function managementCode(error: unknown): ChangeCode {
  if (!(error instanceof ManagementError)) throw error;
  if (error.code === "not_found" || error.code === "invalid_user_id") return "not_found";
  if (error.code === "conflict") return "last_admin";
  return error.code === "not_configured" ? "not_configured" : "unavailable";
}

export async function changeAsAdmin(request: ChangeRequest, deps: ChangeDeps): Promise<ChangeResult> {
  const { actorSub, targetSub, action, callerRequestId } = request;
  // The id the audit log and the log lines give this change: the server's own, never the caller's.
  const requestId = crypto.randomUUID();
  const log = deps.log.child({ event: "admin_change", action, requestId, callerRequestId });
  let rolesBefore: string[] | null = null;

  async function end(outcome: "refused" | "failed", code: ChangeCode, detail?: string): Promise<ChangeResult> {
    await deps.audit({
      actorSub,
      targetSub,
      action,
      rolesBefore,
      rolesAfter: rolesBefore,
      outcome,
      reason: detail ?? code,
      requestId,
      callerRequestId,
    });
    log.warn(
      { outcome, code, reason: detail ?? code },
      outcome === "refused" ? "admin change refused" : "admin change failed",
    );
    return { ok: false, code };
  }

  /** Before gate 1 has passed: the app's log only. */
  function refuse(code: "rate_limited" | "access_token", reason: string): ChangeResult {
    log.warn({ outcome: "refused", code, reason, actorSub, targetSub }, "admin change refused before the audit");
    return { ok: false, code };
  }

  if (!(await deps.countAttempt(actorSub, deps.now()))) return refuse("rate_limited", "rate_limited");

  // Gate 1: the access token, verified exactly as GET /api/admin verifies it.
  if (!request.accessToken) {
    return request.accessTokenUnavailable
      ? end("failed", "unavailable", "idp_unavailable")
      : refuse("access_token", "no_access_token");
  }
  const verdict = await deps.verifyAdminToken(request.accessToken);
  if (!verdict.ok) {
    if (verdict.error.status >= 500) return end("failed", "unavailable", "idp_keys_unavailable");
    return refuse("access_token", "access_token");
  }
  if (verdict.token.payload.sub !== actorSub) return refuse("access_token", "token_of_another_user");

  // Gate 2: the actor's roles as the IdP has them now.
  let actorRoles: string[];
  try {
    actorRoles = names(await deps.management.userRoles(actorSub));
  } catch (error) {
    const code = managementCode(error);
    return code === "not_found" ? end("refused", "fresh_check") : end("failed", code, `management_${code}`);
  }
  if (!actorRoles.includes(ADMIN_ROLE)) return end("refused", "fresh_check");

  // Gate 3: a recent sign-in, from the verified ID token's auth_time.
  if (!isRecent(await deps.authTime(request.idToken, actorSub), deps.maxAgeSeconds, deps.now()))
    return end("refused", "recent_sign_in");

  if (action === "remove_admin" && targetSub === actorSub) return end("refused", "self_lockout");

  let rolesAfter: string[] | null = null;
  let sessionsEnded: number | null = null;
  try {
    if (action === "revoke_access") {
      await deps.management.revokeAccess(targetSub);
      sessionsEnded = await deps.endAppSessions(targetSub);
    } else {
      const role = (await deps.management.listRoles(ADMIN_ROLE)).find((r) => r.name === ADMIN_ROLE);
      if (!role) return end("failed", "not_found", "no_admin_role");
      rolesBefore = names(await deps.management.userRoles(targetSub));
      if (action === "assign_admin") await deps.management.assignRoles(targetSub, [role.id]);
      else await deps.management.removeRoles(targetSub, [role.id]);
      rolesAfter = names(await deps.management.userRoles(targetSub));
    }
  } catch (error) {
    const code = managementCode(error);
    if (code === "last_admin") return end("refused", "last_admin");
    const invalid = error instanceof ManagementError && error.code === "invalid_user_id";
    return end(
      "failed",
      code,
      invalid ? "invalid_user_id" : code === "not_found" ? "unknown_user" : `management_${code}`,
    );
  }
  await deps.audit({
    actorSub,
    targetSub,
    action,
    rolesBefore,
    rolesAfter,
    outcome: "done",
    reason: null,
    requestId,
    callerRequestId,
  });
  log.info({ outcome: "done", targetSub, sessionsEnded }, "admin change done");
  return { ok: true, data: { rolesBefore, rolesAfter, sessionsEnded } };
}

/**
 * Gate 3's rule: whether a sign-in at `authTime` is at most `maxAgeSeconds` old at `now` (and not
 * from the future beyond the clock tolerance). Here, apart from the ID-token check in
 * ./recent-sign-in.ts, so that the gates load without the app's settings.
 */
export function isRecent(authTime: number | null, maxAgeSeconds: number, now: number = Date.now()): boolean {
  return authTime !== null && now / 1000 - authTime <= maxAgeSeconds && authTime <= now / 1000 + 5;
}
