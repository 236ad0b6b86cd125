/**
 * Roles, first-class as in Auth0's RBAC: each has an id (`rol_` and 16 letters or digits), a
 * unique name and a description, and users hold them through assignments. The post-login action
 * reads a user's role names as `event.authorization.roles`; the Management API (management/)
 * lists and changes them.
 *
 * One rule holds however a role is removed (Management API, seed CLI, a reset): the `admin` role
 * always keeps a holder. See {@link removeRoles} for how that stays true under concurrency.
 */
import { randomBytes } from "node:crypto";
import { ADMIN_ROLE } from "../lib/shared/claims.ts";
import type { Database } from "./db.ts";

/** A transaction's client (what `db.$transaction(async (tx) => …)` hands over). */
type Transaction = Parameters<Extract<Parameters<Database["$transaction"]>[0], (tx: never) => unknown>>[0];

/** Refused: the change would leave no user holding the `admin` role. */
export class LastAdminError extends Error {
  readonly code = "last_admin";

  constructor() {
    super(`The ${ADMIN_ROLE} role cannot be removed from its last holder: make another user ${ADMIN_ROLE} first.`);
    this.name = "LastAdminError";
  }
}

export interface Role {
  id: string;
  name: string;
  description: string;
}

/** The role the demo and the app's admin pages are about. */
export const SEEDED_ROLES: readonly Omit<Role, "id">[] = [
  { name: "admin", description: "Administers Claimtrip: may change users' roles." },
];

/** What a role id looks like (Auth0's shape). */
export const ROLE_ID = /^rol_[A-Za-z0-9]{16}$/;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A new random role id, `rol_` and 16 characters. */
export function newRoleId(): string {
  // 248 is the largest multiple of 62 below 256: no bias.
  let out = "";
  while (out.length < 16) {
    for (const byte of randomBytes(32)) if (byte < 248 && out.length < 16) out += ALPHABET[byte % 62];
  }
  return `rol_${out}`;
}

const ROLE_FIELDS = { id: true, name: true, description: true } as const;

export async function listRoles(db: Database, nameFilter?: string): Promise<Role[]> {
  return db.idpRole.findMany({
    where: nameFilter ? { name: { contains: nameFilter } } : {},
    select: ROLE_FIELDS,
    orderBy: { name: "asc" },
  });
}

/** The roles a user holds, by name; empty for an unknown user. */
export async function userRoles(db: Database, userId: string): Promise<Role[]> {
  const rows = await db.idpUserRole.findMany({ where: { userId }, select: { role: { select: ROLE_FIELDS } } });
  return rows.map((row) => row.role).sort((a, b) => a.name.localeCompare(b.name));
}

/** Creates the role when no role has this name; returns it either way. */
export async function ensureRole(db: Database, name: string, description = ""): Promise<Role> {
  const existing = await db.idpRole.findUnique({ where: { name }, select: ROLE_FIELDS });
  if (existing) return existing;
  return db.idpRole.upsert({
    where: { name },
    create: { id: newRoleId(), name, description },
    update: {},
    select: ROLE_FIELDS,
  });
}

/** Adds assignments (idempotent). The caller has checked that user and roles exist. */
export async function assignRoles(db: Database, userId: string, roleIds: readonly string[]): Promise<void> {
  await db.$transaction(
    roleIds.map((roleId) =>
      db.idpUserRole.upsert({ where: { userId_roleId: { userId, roleId } }, create: { userId, roleId }, update: {} }),
    ),
  );
}

/**
 * Inside a transaction, before anything else in it: refuses (throws {@link LastAdminError}) when
 * the change (`removes` says which role ids it takes from `userId`) would leave the admin role
 * without a holder.
 *
 * Its first statement writes the admin role's row (a no-op update), which is the lock: on
 * PostgreSQL it holds that row until the transaction ends (as SELECT … FOR UPDATE would, a
 * statement SQLite lacks), so two removals that each saw two admins cannot both go on: the
 * second waits, and under READ COMMITTED its next statement sees the first one's commit; on
 * SQLite a write takes the database's write lock, so nothing else writes until this commits.
 * Reading first would not do: both would count two holders, then both delete.
 */
async function keepAnAdmin(tx: Transaction, userId: string, removes: (roleId: string) => boolean): Promise<void> {
  await tx.$executeRaw`UPDATE "idp_roles" SET "name" = "name" WHERE "name" = ${ADMIN_ROLE}`;
  const admin = await tx.idpRole.findUnique({ where: { name: ADMIN_ROLE }, select: { id: true } });
  if (!admin || !removes(admin.id)) return;
  const holds = await tx.idpUserRole.count({ where: { userId, roleId: admin.id } });
  if (holds && (await tx.idpUserRole.count({ where: { roleId: admin.id } })) <= 1) throw new LastAdminError();
}

/**
 * Removes assignments (idempotent), all or none, in one transaction; refuses with
 * {@link LastAdminError} to take the admin role from its last holder.
 */
export async function removeRoles(db: Database, userId: string, roleIds: readonly string[]): Promise<void> {
  if (!roleIds.length) return;
  await db.$transaction(async (tx) => {
    await keepAnAdmin(tx, userId, (roleId) => roleIds.includes(roleId));
    await tx.idpUserRole.deleteMany({ where: { userId, roleId: { in: [...roleIds] } } });
  });
}

/**
 * Replaces a user's roles with these names, creating roles that do not exist yet (the seed CLI).
 * Refuses with {@link LastAdminError} to take the admin role from its last holder.
 */
export async function setRoleNames(db: Database, userId: string, names: readonly string[]): Promise<void> {
  const roles = await Promise.all([...new Set(names)].map((name) => ensureRole(db, name)));
  const keep = roles.map((r) => r.id);
  await db.$transaction(async (tx) => {
    await keepAnAdmin(tx, userId, (roleId) => !keep.includes(roleId));
    await tx.idpUserRole.deleteMany({ where: { userId, roleId: { notIn: keep } } });
    for (const roleId of keep) {
      await tx.idpUserRole.upsert({
        where: { userId_roleId: { userId, roleId } },
        create: { userId, roleId },
        update: {},
      });
    }
  });
}

/**
 * Moves roles kept the old way, as `app_metadata.roles`, into role assignments, and drops them
 * from app_metadata so that there is one truth. Idempotent; `npm run setup` runs it every time.
 * Returns how many users it moved.
 */
export async function migrateAppMetadataRoles(db: Database): Promise<number> {
  let moved = 0;
  const users = await db.idpUser.findMany({
    where: { appMetadata: { contains: '"roles"' } },
    select: { id: true, appMetadata: true },
  });
  for (const user of users) {
    let metadata: Record<string, unknown>;
    try {
      metadata = JSON.parse(user.appMetadata) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (!metadata || typeof metadata !== "object" || !("roles" in metadata)) continue;
    const { roles, ...rest } = metadata;
    const names = Array.isArray(roles) ? roles.filter((r): r is string => typeof r === "string" && r.length > 0) : [];
    const held = (await userRoles(db, user.id)).map((r) => r.name);
    await setRoleNames(db, user.id, [...held, ...names]);
    await db.idpUser.update({ where: { id: user.id }, data: { appMetadata: JSON.stringify(rest) } });
    moved += 1;
  }
  return moved;
}
