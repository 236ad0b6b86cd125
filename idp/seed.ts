/**
 * The demo users of the contract (docs/contract.md), and the user-directory changes the command
 * line (./cli.ts) makes: seed them, set a password, set roles.
 */
import type { Database } from "./db.ts";
import { normalizeEmail, parseAppMetadata } from "./account.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { ensureRole, migrateAppMetadataRoles, SEEDED_ROLES, setRoleNames } from "./roles.ts";

export interface DemoUser {
  id: string;
  email: string;
  name: string;
  password: string;
  roles: string[];
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: "alice", email: "alice@example.com", name: "Alice", password: "alice-password", roles: ["admin"] },
  { id: "bob", email: "bob@example.com", name: "Bob", password: "bob-password", roles: [] },
];

export interface SeedOptions {
  /** Also restore name, password and roles of demo users that exist. Default: false */
  reset?: boolean;
  users?: readonly DemoUser[];
}

/**
 * Creates the seeded roles, moves roles still kept in `app_metadata.roles` to role assignments,
 * and adds the demo users (all idempotent); returns the emails it created or reset.
 */
export async function seedUsers(db: Database, options: SeedOptions = {}): Promise<string[]> {
  for (const role of SEEDED_ROLES) await ensureRole(db, role.name, role.description);
  await migrateAppMetadataRoles(db);
  const touched: string[] = [];
  for (const user of options.users ?? DEMO_USERS) {
    const existing = await db.idpUser.findUnique({ where: { email: normalizeEmail(user.email) } });
    if (existing && !options.reset) continue;
    const { roles: _old, ...metadata } = existing ? parseAppMetadata(existing.appMetadata) : {};
    const appMetadata = JSON.stringify(metadata);
    const passwordHash =
      existing && (await verifyPassword(user.password, existing.passwordHash))
        ? existing.passwordHash
        : await hashPassword(user.password);
    const row = await db.idpUser.upsert({
      where: { email: normalizeEmail(user.email) },
      create: { id: user.id, email: normalizeEmail(user.email), name: user.name, passwordHash, appMetadata },
      update: { name: user.name, passwordHash, appMetadata },
    });
    await setRoleNames(db, row.id, user.roles);
    touched.push(user.email);
  }
  return touched;
}

/**
 * The demo users whose password is still the one published in the README. A deployed IdP
 * refuses to start while there are any (idp/app.ts).
 */
export async function demoUsersWithPublishedPasswords(db: Database): Promise<string[]> {
  const found: string[] = [];
  for (const user of DEMO_USERS) {
    const existing = await db.idpUser.findUnique({ where: { email: normalizeEmail(user.email) } });
    if (existing && (await verifyPassword(user.password, existing.passwordHash))) found.push(user.email);
  }
  return found;
}

/** Replaces a user's password; returns false when there is no such user. */
export async function setPassword(db: Database, email: string, password: string): Promise<boolean> {
  const existing = await db.idpUser.findUnique({ where: { email: normalizeEmail(email) } });
  if (!existing) return false;
  await db.idpUser.update({ where: { id: existing.id }, data: { passwordHash: await hashPassword(password) } });
  return true;
}

/**
 * Replaces a user's roles (role assignments); returns false when there is no such user. Throws
 * {@link LastAdminError} (nothing changed) to take the admin role from its last holder.
 */
export async function setRoles(db: Database, email: string, roles: string[]): Promise<boolean> {
  const existing = await db.idpUser.findUnique({ where: { email: normalizeEmail(email) } });
  if (!existing) return false;
  await setRoleNames(db, existing.id, roles);
  return true;
}
