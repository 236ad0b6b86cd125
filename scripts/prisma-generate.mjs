// Generates both Prisma clients (SQLite, the default, and PostgreSQL) on `npm install`.
//
// `prisma generate` only needs the query compiler that ships inside the npm packages, yet the
// CLI also tries to download the native schema engine first. Where no binary host can be
// reached (offline machines, locked-down CI) that download fails, so unless you chose an engine
// yourself we point PRISMA_SCHEMA_ENGINE_BINARY at a placeholder: generate never runs it.
// Migrations do not depend on this either: see scripts/migrate.ts.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const placeholder = join(root, "node_modules", ".cache", "claimtrip", "schema-engine-placeholder");
  if (!existsSync(placeholder)) {
    mkdirSync(dirname(placeholder), { recursive: true });
    writeFileSync(placeholder, "#!/bin/sh\necho 'placeholder: see scripts/migrate.ts' >&2\nexit 1\n", { mode: 0o755 });
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}

for (const schema of ["prisma/schema.prisma", "prisma/postgresql/schema.prisma"]) {
  const result = spawnSync("npx", ["--no-install", "prisma", "generate", "--schema", schema], {
    cwd: root,
    env,
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
