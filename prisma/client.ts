/**
 * One way to open the database, for every program in this repository (the web app through
 * lib/db.ts, the IdP through idp/db.ts, scripts and tests).
 *
 * The provider follows `DATABASE_URL`: `file:` opens the embedded SQLite database,
 * `postgresql://` (or `postgres://`) the PostgreSQL one. Prisma generates one client per
 * provider, from prisma/schema.prisma and its PostgreSQL twin; both expose the same models,
 * so callers see a single type.
 */
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "./generated/postgresql/client.ts";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.ts";

export type { Account, IdpOidcModel, IdpUser, Session, User } from "./generated/sqlite/client.ts";

/** The client type every program uses; the PostgreSQL client has the same shape. */
export type Database = SqliteClient;

export type DatabaseProvider = "sqlite" | "postgresql";

/** Which provider a `DATABASE_URL` names, or `undefined` when it names neither. */
export function databaseProvider(url: string): DatabaseProvider | undefined {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  return undefined;
}

/** The path of a `file:` URL, as SQLite opens it. */
export function sqlitePath(url: string): string {
  return url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
}

export interface CreatePrismaClientOptions {
  /** Log Prisma warnings and errors to the console. Default: true. */
  logErrors?: boolean;
}

export function createPrismaClient(url: string, options: CreatePrismaClientOptions = {}): Database {
  const log = options.logErrors === false ? [] : (["warn", "error"] as const);
  switch (databaseProvider(url)) {
    case "sqlite": {
      // better-sqlite3 waits up to `timeout` ms for a lock; the IdP and the app share the file.
      const client = new SqliteClient({
        adapter: new PrismaBetterSqlite3({ url: sqlitePath(url), timeout: 10_000 }),
        log: [...log],
      });
      // The file is in WAL mode (scripts/migrate.ts). SQLite's default `synchronous = FULL` then
      // waits for the disk on every commit (~0.7 ms here, with the event loop blocked, since
      // better-sqlite3 is synchronous); NORMAL, which SQLite recommends with WAL, syncs at
      // checkpoints only: a power cut can lose the last commits, never corrupt the file.
      // The setting is per connection; issued first, it runs before any query of the client.
      client.$executeRawUnsafe("PRAGMA synchronous = NORMAL").catch(() => {
        // A read-only or broken file fails its first real query too, with a clearer error.
      });
      return client;
    }
    case "postgresql":
      return new PostgresClient({
        adapter: new PrismaPg({ connectionString: url }),
        log: [...log],
      }) as unknown as Database;
    default:
      throw new Error("DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)");
  }
}
