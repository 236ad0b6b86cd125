/**
 * The audit log of admin changes, in the app's database: who (the acting admin's `sub`), what
 * (the action and the roles before and after), for whom (the target's `sub`), how it ended
 * (done, refused and by which gate, or failed), the request id and the time. Attempts that
 * passed the access-token gate are recorded, refused ones too; refusals before it go to the app's
 * log only (lib/admin/change.ts). This module only appends and reads: nothing in the app updates
 * or deletes an entry.
 */
import "server-only";
import type { Database } from "../../prisma/client";
import { db } from "../db";
import type { AdminAction } from "./action-names";

export type AuditOutcome = "done" | "refused" | "failed";

export interface AuditEntry {
  actorSub: string;
  targetSub: string;
  action: AdminAction;
  /** Role names; null when they were not read (a refusal before the target was looked at). */
  rolesBefore: string[] | null;
  rolesAfter: string[] | null;
  outcome: AuditOutcome;
  /** The gate that refused, or a short code of why it failed; null when done. */
  reason: string | null;
  /** The id the server gave this change (never taken from the request). */
  requestId: string | null;
  /** The `x-request-id` the request arrived with, as sent: possibly the caller's, not evidence. */
  callerRequestId: string | null;
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

type AuditRow = Awaited<ReturnType<Database["auditEvent"]["findMany"]>>[number];

function record(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    createdAt: row.createdAt,
    actorSub: row.actorSub,
    targetSub: row.targetSub,
    action: row.action as AdminAction,
    rolesBefore: roles(row.rolesBefore),
    rolesAfter: roles(row.rolesAfter),
    outcome: row.outcome as AuditOutcome,
    reason: row.reason,
    requestId: row.requestId,
    callerRequestId: row.callerRequestId,
  };
}

const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];
const OLDEST_FIRST = [{ createdAt: "asc" as const }, { id: "asc" as const }];

/** The newest entries first. */
export async function listAudit(limit = 50): Promise<AuditRecord[]> {
  return (await db.auditEvent.findMany({ orderBy: NEWEST_FIRST, take: limit })).map(record);
}

/** Entries per page of /admin/audit. */
export const AUDIT_PAGE_SIZE = 50;

/** What an entry id in a page link looks like (cuid); anything else is ignored. */
const ENTRY_ID = /^[a-z0-9]{1,64}$/i;

export interface AuditPageRequest {
  /** Entries older than this entry (the "older" link). */
  before?: string;
  /** Entries newer than this entry (the "newer" link). */
  after?: string;
  /** Default: {@link AUDIT_PAGE_SIZE} */
  pageSize?: number;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditRecord[];
  /** The `after` of the next newer page, or null on the newest page. */
  newer: string | null;
  /** The `before` of the next older page, or null on the oldest page. */
  older: string | null;
}

/**
 * One page of the log, newest first, found by the entry it starts after (keyset paging on
 * createdAt and id: a page stays the same while entries are added, and costs the same however
 * deep it is). An unknown cursor gives the newest page.
 */
export async function readAuditPage(database: Database, request: AuditPageRequest = {}): Promise<AuditPage> {
  const size = request.pageSize ?? AUDIT_PAGE_SIZE;
  const cursorId = [request.after, request.before].find((id) => id !== undefined && ENTRY_ID.test(id));
  const cursor = cursorId
    ? await database.auditEvent.findUnique({ where: { id: cursorId }, select: { id: true, createdAt: true } })
    : null;
  if (cursor && cursorId === request.after) {
    const rows = await database.auditEvent.findMany({
      where: {
        OR: [{ createdAt: { gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { gt: cursor.id } }],
      },
      orderBy: OLDEST_FIRST,
      take: size + 1,
    });
    const entries = rows.slice(0, size).reverse().map(record);
    return { entries, newer: rows.length > size ? (entries[0]?.id ?? null) : null, older: cursor.id };
  }
  const rows = await database.auditEvent.findMany({
    where: cursor
      ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
      : {},
    orderBy: NEWEST_FIRST,
    take: size + 1,
  });
  const entries = rows.slice(0, size).map(record);
  return {
    entries,
    newer: cursor ? (entries[0]?.id ?? null) : null,
    older: rows.length > size ? (entries.at(-1)?.id ?? null) : null,
  };
}

/** A page of the app's audit log. */
export const auditPage = (request: AuditPageRequest = {}) => readAuditPage(db, request);

/** Emails of the users this app knows, by IdP `sub`: to make the log readable, nothing more. */
export async function emailsBySub(subs: readonly string[]): Promise<Map<string, string>> {
  const accounts = await db.account.findMany({
    where: { providerAccountId: { in: [...new Set(subs)] } },
    select: { providerAccountId: true, user: { select: { email: true } } },
  });
  return new Map(accounts.flatMap((a) => (a.user.email ? [[a.providerAccountId, a.user.email] as const] : [])));
}
