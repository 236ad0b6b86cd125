/**
 * The PostgreSQL server the scale-out specs use (127.0.0.1:5432, user postgres): whether one
 * answers, and a database of a spec's own, created and dropped here.
 */
import pg from "pg";

const SERVER = "postgresql://postgres@127.0.0.1:5432";

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres`, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Whether a PostgreSQL server answers at 127.0.0.1:5432. */
export const postgresAnswers: boolean = await admin(async () => true).catch(() => false);

/** Why the scale-out specs skip without one. */
export const NO_POSTGRES =
  "no PostgreSQL answers at 127.0.0.1:5432 (user postgres): start one to run the scale-out tests";

/** A database of the caller's own: its DATABASE_URL, and how to drop it (with its connections). */
export async function createSpecDatabase(
  prefix: string,
): Promise<{ url: string; query: <R>(sql: string) => Promise<R[]>; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = `${SERVER}/${name}`;
  return {
    url,
    async query<R>(sql: string): Promise<R[]> {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
      await client.connect();
      try {
        return (await client.query(sql)).rows as R[];
      } finally {
        await client.end();
      }
    },
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
