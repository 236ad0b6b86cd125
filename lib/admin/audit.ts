/**
 * The audit log of admin changes, in the app's database: who (the acting admin's `sub`), what
 * (the action and the roles before and after), for whom (the target's `sub`), how it ended
 * (done, refused and by which gate, or failed), the request id and the time. Refused attempts
 * are recorded too. This module only appends and reads: nothing in the app updates or deletes
 * an entry.
 */
import "server-only";
import { db } from "../db";

export type AuditAction = "assign_admin" | "remove_admin" | "revoke_access";
export type AuditOutcome = "done" | "refused" | "failed";

export interface AuditEntry {
  actorSub: string;
  targetSub: string;
  action: AuditAction;
  /** Role names; null when they were not read (a refusal before the target was looked at). */
  rolesBefore: string[] | null;
  rolesAfter: string[] | null;
  outcome: AuditOutcome;
  /** The gate that refused, or a short code of why it failed; null when done. */
  reason: string | null;
  requestId: string | null;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  createdAt: Date;
}

export async function recordAudit(entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: {
      ...entry,
      rolesBefore: entry.rolesBefore ? JSON.stringify(entry.rolesBefore) : null,
      rolesAfter: entry.rolesAfter ? JSON.stringify(entry.rolesAfter) : null,
    },
  });
}

function roles(json: string | null): string[] | null {
  if (json === null) return null;
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((r): r is string => typeof r === "string") : null;
}

/** The newest entries first. */
export async function listAudit(limit = 200): Promise<AuditRecord[]> {
  const rows = await db.auditEvent.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit });
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.createdAt,
    actorSub: row.actorSub,
    targetSub: row.targetSub,
    action: row.action as AuditAction,
    rolesBefore: roles(row.rolesBefore),
    rolesAfter: roles(row.rolesAfter),
    outcome: row.outcome as AuditOutcome,
    reason: row.reason,
    requestId: row.requestId,
  }));
}

/** Emails of the users this app knows, by IdP `sub`: to make the log readable, nothing more. */
export async function emailsBySub(subs: readonly string[]): Promise<Map<string, string>> {
  const accounts = await db.account.findMany({
    where: { providerAccountId: { in: [...new Set(subs)] } },
    select: { providerAccountId: true, user: { select: { email: true } } },
  });
  return new Map(accounts.flatMap((a) => (a.user.email ? [[a.providerAccountId, a.user.email] as const] : [])));
}
