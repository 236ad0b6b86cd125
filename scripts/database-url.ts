/**
 * The DATABASE_URL for scripts, with the same default as lib/env.ts and idp/env.ts:
 * the SQLite file prisma/dev.db, as an absolute path so every program opens the same file.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export function databaseUrl(): string {
  const local = join(root, ".env.local");
  if (!process.env.DATABASE_URL && existsSync(local)) process.loadEnvFile(local);
  return process.env.DATABASE_URL || `file:${join(root, "prisma/dev.db")}`;
}
