/**
 * The demo users of the contract (docs/contract.md), and a small CLI around the user directory:
 *
 *   npm run db:seed                                       add the demo users that are missing
 *   npm run db:seed -- --reset                            put the demo users back as seeded
 *   npm run db:seed -- roles bob@example.com admin        set a user's roles (none: remove all)
 *   npm run db:seed -- roles bob@example.com --sign-out
 *                                                         remove bob's roles and revoke his access: his IdP
 *                                                         sessions and grants end, and the app is told
 *                                                         (back-channel logout), so he is signed out there too
 *   npm run db:seed -- password bob@example.com           set a user's password, read from stdin
 *
 * A role change shows up in the next access token the app gets, at the latest on its next
 * refresh (the claim is computed when a token is minted); with --sign-out, at once.
 */
import type { Database } from "./db.ts";
import { normalizeEmail, parseAppMetadata } from "./account.ts";
import type { IdpSettings } from "./env.ts";
import { createLogger } from "./logger.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { ensureRole, LastAdminError, migrateAppMetadataRoles, SEEDED_ROLES, setRoleNames } from "./roles.ts";

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

/**
 * Revokes a user's access through an IdP built from the same settings, keys and database as the
 * running one (idp/revoke-access.ts), and waits for the back-channel logout deliveries.
 */
async function signOutEverywhere(settings: IdpSettings, db: Database, email: string): Promise<void> {
  const { createIdp } = await import("./app.ts");
  const { revokeUserAccess } = await import("./revoke-access.ts");
  const user = await db.idpUser.findUnique({ where: { email: normalizeEmail(email) } });
  if (!user) throw new Error(`No user with email ${email}.`);
  const idp = await createIdp({ settings, db, logger: createLogger("warn") });
  try {
    const { sessions, grants, deliveries } = await revokeUserAccess(idp.provider, user.id);
    const outcomes = await deliveries;
    const delivered = outcomes.filter((outcome) => outcome.delivered).length;
    console.log(
      `${email}: ${sessions} IdP session(s) ended, ${grants} grant(s) revoked, ${delivered} of ${outcomes.length} back-channel logout(s) delivered`,
    );
    if (delivered < outcomes.length) process.exitCode = 2;
  } finally {
    await idp.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { loadSettings } = await import("./env.ts");
  const { openDatabase } = await import("./db.ts");
  const settings = loadSettings();
  const db = openDatabase(settings.DATABASE_URL);
  try {
    if (argv[0] === "password") {
      // From stdin, never from the command line (shell history, the process list).
      const [, email] = argv;
      if (!email) throw new Error("usage: npm run db:seed -- password <email>  (the new password on stdin)");
      let input = "";
      for await (const chunk of process.stdin) input += chunk;
      const password = input.split(/\r?\n/)[0] ?? "";
      if (password.length < 12) throw new Error("The new password needs at least 12 characters.");
      if (!(await setPassword(db, email, password))) throw new Error(`No user with email ${email}.`);
      console.log(`${email}: password changed`);
    } else if (argv[0] === "roles") {
      const signOut = argv.includes("--sign-out");
      const [, email, ...roles] = argv.filter((arg) => arg !== "--sign-out");
      if (!email) throw new Error("usage: npm run db:seed -- roles <email> [role ...] [--sign-out]");
      try {
        if (!(await setRoles(db, email, roles))) throw new Error(`No user with email ${email}.`);
      } catch (error) {
        if (!(error instanceof LastAdminError)) throw error;
        throw new Error(`Refused, nothing changed: ${email} is the last admin. ${error.message}`);
      }
      console.log(`${email}: roles ${roles.length ? roles.join(", ") : "(none)"}`);
      if (signOut) await signOutEverywhere(settings, db, email);
    } else {
      const touched = await seedUsers(db, { reset: argv.includes("--reset") });
      console.log(touched.length ? `Demo users ready: ${touched.join(", ")}` : "Demo users already present.");
    }
  } finally {
    await db.$disconnect();
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
