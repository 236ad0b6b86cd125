/**
 * Applies and creates standard Prisma migrations without Prisma's native schema engine.
 *
 * `prisma migrate deploy` is the normal way to apply prisma/migrations, and it works on any
 * machine that can download Prisma's native schema engine. Claimtrip must also set itself up
 * offline, where that download fails, so this module drives Prisma's own schema engine compiled
 * to WebAssembly (@prisma/schema-engine-wasm, pinned to the engine version of the `prisma`
 * package) through the same driver adapters the app uses. The engine is the same code as the
 * native one: it reads the same migration folders, writes the same `_prisma_migrations` table
 * and checksums, so the native CLI accepts a database migrated here, and the reverse.
 *
 *   npm run db:migrate                   apply pending migrations to DATABASE_URL
 *   npm run db:migrate:dev -- <name>     create a migration from the schema (and apply it)
 */
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import * as engineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { databaseProvider, sqlitePath, type DatabaseProvider } from "../prisma/client.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Where each provider's schema and migrations live. */
export const layout: Record<DatabaseProvider, { schema: string; migrations: string }> = {
  sqlite: { schema: join(root, "prisma/schema.prisma"), migrations: join(root, "prisma/migrations") },
  postgresql: {
    schema: join(root, "prisma/postgresql/schema.prisma"),
    migrations: join(root, "prisma/postgresql/migrations"),
  },
};

const noFilter = { externalTables: [], externalEnums: [] };

let engineReady: Promise<typeof engineBindings.SchemaEngine> | undefined;

/**
 * The package's own entry point imports the .wasm file as an ES module, which Node 20 cannot
 * do; instantiate it by hand with the same bindings instead (what that entry point does).
 */
function loadEngine(): Promise<typeof engineBindings.SchemaEngine> {
  engineReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = join(
      dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")),
      "schema_engine_bg.wasm",
    );
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {
      "./schema_engine_bg.js": engineBindings as unknown as WebAssembly.ModuleImports,
    });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return engineBindings.SchemaEngine;
  })();
  return engineReady;
}

function providerOf(url: string): DatabaseProvider {
  const provider = databaseProvider(url);
  if (!provider) throw new Error("DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)");
  return provider;
}

/** Reads a migrations folder the way the Prisma CLI hands it to the engine. */
export function readMigrations(dir: string): MigrationList {
  const lockPath = join(dir, "migration_lock.toml");
  const folders = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: folders.map((name) => {
      const file = join(dir, name, "migration.sql");
      return {
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: existsSync(file)
            ? { tag: "ok" as const, value: readFileSync(file, "utf8") }
            : { tag: "error" as const, value: `${file} is missing` },
        },
      };
    }),
  };
}

/**
 * Adapts the SQLite adapter to what the engine expects: it runs whole migration scripts through
 * `executeRaw`, and better-sqlite3 prepares one statement at a time, so scripts go through
 * `executeScript` (sqlite3_exec) instead.
 */
function scriptAwareSqlite(factory: PrismaBetterSqlite3): SqlMigrationAwareDriverAdapterFactory {
  const wrap = (adapter: SqlDriverAdapter): SqlDriverAdapter =>
    new Proxy(adapter, {
      get(target, prop, receiver) {
        if (prop === "executeRaw") {
          return async (query: Parameters<SqlDriverAdapter["executeRaw"]>[0]) => {
            if (query.args.length === 0 && /;\s*\S/.test(query.sql.trim().replace(/;\s*$/, ""))) {
              await target.executeScript(query.sql);
              return 0;
            }
            return target.executeRaw(query);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: async () => wrap(await factory.connectToShadowDb()),
  };
}

/** pg's oids for the internal one-byte `"char"` type and for text. */
const PG_CHAR = 18;
const PG_TEXT = 25;

type QueryResultLike = { fields?: { dataTypeID: number }[] };
const charAsText = <T>(result: T): T => {
  for (const field of (result as QueryResultLike)?.fields ?? [])
    if (field.dataTypeID === PG_CHAR) field.dataTypeID = PG_TEXT;
  return result;
};

/**
 * The engine's introspection reads catalog columns of PostgreSQL's internal `"char"` type,
 * which the driver adapter does not map ("Column type 'char' could not be deserialized");
 * this client reports them as the text they are.
 */
class CharAsTextClient extends pg.Client {
  // pg.Client#query has many overloads; this only relabels the result, whichever was used.
  query(...args: unknown[]): never {
    const last = args.at(-1);
    if (typeof last === "function") {
      args[args.length - 1] = (error: unknown, result: unknown) => last(error, error ? result : charAsText(result));
    }
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    return (out instanceof Promise ? out.then(charAsText) : out) as never;
  }
}

/**
 * PostgreSQL adapters for the engine. The shadow database the engine needs for `dev` is
 * created and dropped by `withShadowDatabase`, as the native CLI would.
 */
function postgresFactory(
  url: string,
  newShadow: NewShadow | undefined,
  pools: pg.Pool[],
): SqlMigrationAwareDriverAdapterFactory {
  // The adapter leaves pools it was handed open on dispose; the caller ends them.
  const pool = (connectionString: string) => {
    const created = new pg.Pool({ connectionString, Client: CharAsTextClient });
    pools.push(created);
    return created;
  };
  const main = pool(url);
  const factory = new PrismaPg(main);
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wholeScripts(await factory.connect(), main),
    // A fresh, empty database every time: the engine replays all migrations into each shadow
    // connection it asks for (once to check for drift, once to diff), as the native CLI's reset does.
    connectToShadowDb: async () => {
      if (!newShadow) throw new Error("creating a PostgreSQL migration needs a shadow database");
      const shadow = pool(await newShadow());
      return wholeScripts(await new PrismaPg(shadow).connect(), shadow);
    },
  };
}

/**
 * The PostgreSQL adapter runs a script by splitting it at every semicolon, which breaks a
 * function body (`$$ … ; … $$`, the audit log's trigger). PostgreSQL takes a whole script in one
 * simple query, as the native engine sends it, in one implicit transaction: send it so.
 */
function wholeScripts(adapter: SqlDriverAdapter, pool: pg.Pool): SqlDriverAdapter {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      if (prop === "executeScript") {
        return async (script: string) => {
          await pool.query(script);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function withEngine<T>(
  url: string,
  run: (engine: SchemaEngine, provider: DatabaseProvider) => Promise<T>,
  newShadow?: NewShadow,
): Promise<T> {
  const provider = providerOf(url);
  const schema = readFileSync(layout[provider].schema, "utf8");
  if (provider === "sqlite") mkdirSync(dirname(resolve(sqlitePath(url))), { recursive: true });
  const pools: pg.Pool[] = [];
  const factory =
    provider === "sqlite"
      ? scriptAwareSqlite(new PrismaBetterSqlite3({ url: sqlitePath(url) }))
      : postgresFactory(url, newShadow, pools);
  // The engine opens connections through the factory but never closes them; keep track so a
  // finished command leaves no SQLite handle or PostgreSQL pool behind.
  const opened: SqlDriverAdapter[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => remember(await factory.connect()),
    connectToShadowDb: async () => remember(await factory.connectToShadowDb()),
  };
  const remember = (adapter: SqlDriverAdapter) => {
    opened.push(adapter);
    return adapter;
  };
  const engine = await (await loadEngine()).new(
    { datamodels: [[layout[provider].schema, schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(tracked),
  );
  try {
    return await run(engine, provider);
  } finally {
    engine.free();
    // PostgreSQL adapters from one factory share a pool: the second dispose finds it ended.
    await Promise.allSettled(opened.map((adapter) => adapter.dispose()));
    await Promise.all(pools.map((pool) => pool.end()));
  }
}

/** Applies every pending migration (what `prisma migrate deploy` does). Returns their names. */
export async function migrate(url: string): Promise<string[]> {
  if (providerOf(url) === "sqlite") {
    // WAL lets the IdP and the app (two processes) read while the other writes. It is a
    // property of the file, so setting it once here is enough.
    mkdirSync(dirname(resolve(sqlitePath(url))), { recursive: true });
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(sqlitePath(url));
    db.pragma("journal_mode = WAL");
    db.close();
  }
  return withEngine(url, async (engine, provider) => {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: readMigrations(layout[provider].migrations),
      filters: noFilter,
    });
    return appliedMigrationNames;
  });
}

/** Creates an empty throw-away database and returns its URL. */
type NewShadow = () => Promise<string>;

/** PostgreSQL needs throw-away shadow databases to diff against; SQLite uses memory. */
async function withShadowDatabase<T>(url: string, run: (newShadow?: NewShadow) => Promise<T>): Promise<T> {
  if (providerOf(url) === "sqlite") return run();
  const names: string[] = [];
  const newShadow: NewShadow = async () => {
    const name = `claimtrip_shadow_${process.pid}_${Date.now()}_${names.length}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    names.push(name);
    const shadow = new URL(url);
    shadow.pathname = `/${name}`;
    return shadow.toString();
  };
  try {
    return await run(newShadow);
  } finally {
    // Dropped only after the engine (and so its pools) is gone: a live connection blocks DROP.
    const cleanup = new pg.Client({ connectionString: url });
    await cleanup.connect();
    for (const name of names) await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await cleanup.end();
  }
}

/**
 * Creates a migration for what changed in the schema since the last one (the offline half of
 * `prisma migrate dev`), then applies it. Returns the new folder's name, or null if nothing changed.
 */
async function createMigration(url: string, name: string): Promise<string | null> {
  const provider = providerOf(url);
  const dir = layout[provider].migrations;
  const created = await withShadowDatabase(url, (newShadow) =>
    withEngine(
      url,
      async (engine) => {
        const migrationsList = readMigrations(dir);
        // Applying first also creates `_prisma_migrations` on a new database, which the
        // diagnostic expects to find.
        await engine.applyMigrations({ migrationsList, filters: noFilter });
        const diagnostic = await engine.devDiagnostic({ migrationsList, filters: noFilter });
        if (diagnostic.action.tag === "reset") {
          throw new Error(
            `the database has drifted from prisma migrations (${diagnostic.action.reason}); reset it first`,
          );
        }
        const out = await engine.createMigration({
          draft: false,
          migrationName: name,
          migrationsList,
          schema: {
            files: [{ path: layout[provider].schema, content: readFileSync(layout[provider].schema, "utf8") }],
          },
          filters: noFilter,
        });
        if (!out.migrationScript) return null;
        mkdirSync(join(dir, out.generatedMigrationName), { recursive: true });
        writeFileSync(join(dir, out.generatedMigrationName, `migration.${out.extension}`), out.migrationScript);
        const lock = join(dir, "migration_lock.toml");
        if (!existsSync(lock)) {
          writeFileSync(
            lock,
            `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`,
          );
        }
        return out.generatedMigrationName;
      },
      newShadow,
    ),
  );
  if (created) await migrate(url);
  return created;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { databaseUrl } = await import("./database-url.ts");
  const [command, name] = process.argv.slice(2);
  const url = databaseUrl();
  if (command === "deploy") {
    const applied = await migrate(url);
    console.log(applied.length ? `applied ${applied.join(", ")}` : "database is up to date");
  } else if (command === "dev" && name) {
    const created = await createMigration(url, name);
    console.log(created ? `created and applied ${created}` : "no schema changes");
  } else {
    console.error("usage: node --experimental-strip-types scripts/migrate.ts deploy | dev <name>");
    process.exit(2);
  }
}
