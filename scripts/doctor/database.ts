/**
 * The app's database, in the order a person fixes it: the server answers ("cannot connect"), the
 * database exists ("database missing"), every migration in the repository is applied ("migrations
 * not applied (N pending)"). A missing SQLite file is reported, never created.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createPrismaClient, databaseProvider, sqlitePath } from "../../prisma/client.ts";
import { layout, readMigrations } from "../migrate.ts";
import { createDatabaseHint, probePostgres, serverOf } from "../postgres.ts";
import { fail, ok, safeUrl, skip, type Check } from "./report.ts";

const SETUP = "run npm run setup (it applies the migrations to DATABASE_URL)";

export async function checkDatabase(url: string | undefined): Promise<Check> {
  if (!url) return skip("database", "DATABASE_URL is not valid");
  const provider = databaseProvider(url);
  if (!provider) return skip("database", "DATABASE_URL is not valid");
  const where = safeUrl(url);
  if (provider === "sqlite" && !existsSync(resolve(sqlitePath(url))))
    return fail("database", `database missing: no SQLite file at ${sqlitePath(url)}`, SETUP);
  if (provider === "postgresql") {
    const found = await probePostgres(url);
    if (found.state === "unreachable")
      return fail(
        "database",
        `cannot connect to PostgreSQL at ${serverOf(url)}: ${found.reason}`,
        "check DATABASE_URL (host, port, user, password) and that the database server is running",
      );
    if (found.state === "missing")
      return fail(
        "database",
        `database missing: PostgreSQL at ${serverOf(url)} has no database "${found.database}"`,
        `npm run setup creates it when the server lets this user; or ${createDatabaseHint(url)}`,
      );
  }
  const expected = readMigrations(layout[provider].migrations).migrationDirectories.map((dir) => dir.path);
  const db = createPrismaClient(url, { logErrors: false });
  try {
    let applied: string[];
    try {
      const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
        "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
      );
      applied = rows.map((row) => row.migration_name);
    } catch (error) {
      const message = firstLine(error);
      if (/_prisma_migrations/.test(error instanceof Error ? error.message : String(error)))
        return fail("database", `migrations not applied (${expected.length} pending): ${where} has none`, SETUP);
      return fail(
        "database",
        `cannot query ${where}: ${message}`,
        "check DATABASE_URL and that the database server is running",
      );
    }
    const pending = expected.filter((name) => !applied.includes(name));
    if (pending.length)
      return fail("database", `migrations not applied (${pending.length} pending): ${pending.join(", ")}`, SETUP);
    return ok("database", `${where} answers, with all ${expected.length} migration(s) applied`);
  } finally {
    await db.$disconnect().catch(() => undefined);
  }
}

/** The first line of an error, without any credentials a connection string put there. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split("\n").find((line) => line.trim()) ?? "error")
    .trim()
    .replace(/\/\/[^@/\s]*@/g, "//")
    .slice(0, 200);
}
