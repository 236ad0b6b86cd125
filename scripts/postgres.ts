/**
 * A PostgreSQL DATABASE_URL before Prisma touches it: can this machine connect, does the
 * database exist, and (for `npm run setup`) create it when the server lets this user. The doctor
 * and setup tell "cannot connect" from "database missing" with the same words, from here.
 */
import pg from "pg";

/** What a connection attempt to a PostgreSQL DATABASE_URL found. */
export type PostgresState =
  | { state: "ready" }
  | { state: "missing"; database: string }
  | { state: "unreachable"; reason: string };

/** The server part of a URL, fit to print (no user, no password, no database). */
export function serverOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || "5432"}`;
}

/** The database a URL names (its path, decoded). */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, "")) || "postgres";
}

/** The same URL, naming another database on the same server (the query string is kept). */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.href;
}

/** Why a connection failed, in a few words, never with the URL's credentials. */
function reasonOf(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code; // ECONNREFUSED, ENOTFOUND…
  const text = typeof message === "string" ? message : String(error);
  return text
    .split("\n")[0]!
    .replace(/\/\/[^@/\s]*@/g, "//")
    .slice(0, 200);
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects to the database the URL names, and says what it found. */
export async function probePostgres(url: string): Promise<PostgresState> {
  try {
    await withClient(url, async () => undefined);
    return { state: "ready" };
  } catch (error) {
    // 3D000: invalid_catalog_name, "database … does not exist".
    if ((error as { code?: unknown }).code === "3D000") return { state: "missing", database: databaseOf(url) };
    return { state: "unreachable", reason: reasonOf(error) };
  }
}

/** How a person creates the database by hand, as a user allowed to: the end of setup's line when it cannot. */
export function createDatabaseHint(url: string): string {
  const parsed = new URL(url);
  const owner = parsed.username ? ` -O ${decodeURIComponent(parsed.username)}` : "";
  return (
    `create it as a user allowed to, for example \`createdb -h ${parsed.hostname} -p ${parsed.port || "5432"} -U postgres${owner} ${databaseOf(url)}\`, ` +
    "then run npm run setup again"
  );
}

/**
 * Creates the database the URL names, connecting to the same server's `postgres` database with
 * the same credentials. Resolves to why not when the server refuses (no CREATEDB right, say).
 */
export async function createDatabase(url: string): Promise<{ created: true } | { created: false; reason: string }> {
  const name = databaseOf(url);
  try {
    await withClient(withDatabase(url, "postgres"), (client) =>
      client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`),
    );
    return { created: true };
  } catch (error) {
    // 42P04: duplicate_database, another setup created it meanwhile.
    if ((error as { code?: unknown }).code === "42P04") return { created: true };
    return { created: false, reason: reasonOf(error) };
  }
}
