/**
 * Writes prisma/postgresql/schema.prisma from prisma/schema.prisma.
 *
 * Prisma fixes the provider in the schema file, and generates one client per provider, so
 * PostgreSQL needs a schema of its own. Everything but the datasource and the client's output
 * folder is the same, so it is derived, never edited: `npm run db:schemas` after a change
 * to prisma/schema.prisma (schemas.test.ts fails while the two disagree).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const sqliteSchemaPath = join(root, "prisma/schema.prisma");
export const postgresSchemaPath = join(root, "prisma/postgresql/schema.prisma");

const header = "// GENERATED from prisma/schema.prisma by `npm run db:schemas`: edit that file, not this one.\n";

export function postgresSchemaFrom(sqliteSchema: string): string {
  const body = sqliteSchema.slice(sqliteSchema.indexOf("generator client"));
  const out = body
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output       = "./generated/sqlite"', 'output       = "../generated/postgresql"');
  if (out === body || !out.includes('"../generated/postgresql"')) {
    throw new Error("prisma/schema.prisma no longer has the sqlite datasource and output this script rewrites");
  }
  return `${header}\n${out}`;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  writeFileSync(postgresSchemaPath, postgresSchemaFrom(readFileSync(sqliteSchemaPath, "utf8")));
  console.log("wrote prisma/postgresql/schema.prisma");
}
