/**
 * A throwaway PostgreSQL database for a test file that runs on SQLite and PostgreSQL alike: the
 * local server (127.0.0.1:5432, user postgres, trust) when one answers, or nothing, and the file
 * skips its PostgreSQL half.
 */
import pg from "pg";

const SERVER = "postgresql://postgres@127.0.0.1:5432";

/** A connected admin client, or undefined when no server answers. */
async function connect(): Promise<pg.Client | undefined> {
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres`, connectionTimeoutMillis: 1000 });
  try {
    await admin.connect();
    return admin;
  } catch {
    return undefined;
  }
}

/** A new, empty database called `name` (an old one of that name is dropped); undefined without a server. */
export async function freshPostgresDatabase(name: string): Promise<string | undefined> {
  const admin = await connect();
  if (!admin) return undefined;
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return `${SERVER}/${name}`;
}

/** Drops the database `url` names, when it is a PostgreSQL one (a SQLite URL is left alone). */
export async function dropPostgresDatabase(url: string): Promise<void> {
  if (!url.startsWith("postgresql:")) return;
  const admin = await connect();
  if (!admin) throw new Error("the PostgreSQL server stopped answering before its test database was dropped");
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
