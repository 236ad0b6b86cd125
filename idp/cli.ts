/**
 * `npm run db:seed`: the command line around the user directory (./seed.ts).
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
// First, as in server.ts: holds back oidc-provider's own runtime line while app.ts loads it.
import { releaseConsole } from "./node-check.ts";
import { createIdp } from "./app.ts";
import { openDatabase, type Database } from "./db.ts";
import { normalizeEmail } from "./account.ts";
import { loadSettings, type IdpSettings } from "./env.ts";
import { createLogger } from "./logger.ts";
import { revokeUserAccess } from "./revoke-access.ts";
import { LastAdminError } from "./roles.ts";
import { seedUsers, setPassword, setRoles } from "./seed.ts";

releaseConsole();

/**
 * Revokes a user's access through an IdP built from the same settings, keys and database as the
 * running one (idp/revoke-access.ts), and waits for the back-channel logout deliveries.
 */
async function signOutEverywhere(settings: IdpSettings, db: Database, email: string): Promise<void> {
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
