/**
 * Setup and the doctor against a real PostgreSQL (127.0.0.1:5432, user postgres; skipped without
 * one): a missing database is created when the user may, and otherwise named with the command
 * that creates it, before anything is written; "cannot connect" and "database missing" differ.
 */
import { createServer } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseHint, databaseOf, probePostgres, serverOf } from "./postgres.ts";
import { ensurePostgresDatabase } from "./setup.ts";

const SERVER = "postgresql://postgres@127.0.0.1:5432";
const NAME = `claimtrip_postgres_test_${process.pid}`;
const NO_CREATEDB = `claimtrip_nocreatedb_${process.pid}`;

async function admin<T>(sql: string): Promise<T | undefined> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres`, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.query(sql)) as T;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const available = (await admin("SELECT 1")) !== undefined;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe("PostgreSQL URLs, printed", () => {
  it("names the server and the database, never the password", () => {
    const url = "postgresql://app:s3cret@db.example:6543/claim%20trip?sslmode=require";
    expect(serverOf(url)).toBe("db.example:6543");
    expect(databaseOf(url)).toBe("claim trip");
    expect(createDatabaseHint(url)).toBe(
      "create it as a user allowed to, for example `createdb -h db.example -p 6543 -U postgres -O app claim trip`, then run npm run setup again",
    );
    expect(createDatabaseHint(url)).not.toContain("s3cret");
  });
});

describe("cannot connect", () => {
  it("is told apart from a missing database, and setup stops with it", async () => {
    const url = `postgresql://postgres@127.0.0.1:${await closedPort()}/anything`;
    expect(await probePostgres(url)).toEqual({ state: "unreachable", reason: "ECONNREFUSED" });
    await expect(ensurePostgresDatabase(url)).rejects.toThrow(
      /^cannot connect to PostgreSQL at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
  });
});

describe.skipIf(!available)("a database that does not exist yet (PostgreSQL at 127.0.0.1:5432)", () => {
  beforeAll(async () => {
    await admin(`CREATE ROLE "${NO_CREATEDB}" LOGIN NOCREATEDB`);
  });
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
    await admin(`DROP ROLE IF EXISTS "${NO_CREATEDB}"`);
  });

  it("is created by setup when the user may create databases", async () => {
    const url = `${SERVER}/${NAME}`;
    expect(await probePostgres(url)).toEqual({ state: "missing", database: NAME });
    expect(await ensurePostgresDatabase(url)).toBe("created");
    expect(await probePostgres(url)).toEqual({ state: "ready" });
    expect(await ensurePostgresDatabase(url)).toBe("exists");
  });

  it("is named, with the command that creates it, when the user may not", async () => {
    const url = `postgresql://${NO_CREATEDB}@127.0.0.1:5432/${NAME}_never`;
    await expect(ensurePostgresDatabase(url)).rejects.toThrow(
      `database "${NAME}_never" does not exist on 127.0.0.1:5432, and this user may not create it (permission denied to create database); create it as a user allowed to, for example \`createdb -h 127.0.0.1 -p 5432 -U postgres -O ${NO_CREATEDB} ${NAME}_never\`, then run npm run setup again`,
    );
    expect(await probePostgres(url)).toMatchObject({ state: "missing" });
  });
});
