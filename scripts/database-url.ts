/**
 * The DATABASE_URL for scripts, with the same default as lib/env.ts and idp/env.ts
 * (lib/shared/settings.ts): the SQLite file prisma/dev.db, as an absolute path so every program
 * opens the same file. `.env.local` is read as the programs read it; the environment wins.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultDatabaseUrl, withEnvFile } from "../lib/shared/settings.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export function databaseUrl(): string {
  return withEnvFile(process.env, join(root, ".env.local")).DATABASE_URL || defaultDatabaseUrl(root);
}
