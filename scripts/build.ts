/**
 * The production build (`next build`, then the IdP's login stylesheet), skipped when nothing it
 * reads has changed since the last one.
 *
 * A stamp in .next/ records a hash of the inputs: the app's sources (app/, lib/, proxy.ts, the
 * configs), the lockfile, the Prisma schema, the IdP's views (Tailwind scans them), the Node
 * major version and any NEXT_PUBLIC_* setting (Next.js inlines those; hashed, never written out).
 * Other settings are read at run time, not baked in: the e2e suite runs one build on other ports.
 * `npm start` builds only when the stamp is missing or differs; `npm run build` always builds.
 *
 *   node scripts/build.ts [--if-changed]
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Files and folders whose content the build depends on. */
export const BUILD_INPUTS = [
  "app",
  "lib",
  "public",
  "proxy.ts",
  "next.config.mjs",
  "postcss.config.mjs",
  "tsconfig.json",
  "package.json",
  "package-lock.json",
  "prisma/schema.prisma",
  "prisma/client.ts",
  "idp/views",
];

/** Tests sit beside the code but are no part of the build. */
const isTest = (path: string) => /\.test\.tsx?$/.test(path);

/** Settings Next.js inlines into the build; their values go into the hash only. */
const SETTING = /^NEXT_PUBLIC_/;

export const STAMP_FILE = join(root, ".next", "claimtrip-build-stamp.json");
const STYLESHEET = join(root, "idp/.data/styles.css");

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => files(join(path, entry.name)));
}

/** A hash of everything the build reads, from `base` and the given settings. */
export function inputsHash(env: Record<string, string | undefined>, base = root): string {
  const hash = createHash("sha256");
  for (const input of BUILD_INPUTS) {
    for (const file of files(join(base, input))) {
      if (isTest(file)) continue;
      hash
        .update(`${relative(base, file)}\0`)
        .update(readFileSync(file))
        .update("\0");
    }
  }
  hash.update(`node ${process.versions.node.split(".")[0]}\0`);
  for (const name of Object.keys(env)
    .filter((key) => SETTING.test(key))
    .sort())
    hash.update(`${name}=${env[name]}\0`);
  return hash.digest("hex");
}

interface Stamp {
  inputs: string;
  builtAt: string;
}

function readStamp(): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(STAMP_FILE, "utf8")) as Stamp;
  } catch {
    return undefined;
  }
}

/** Why a build is needed, or `undefined` when the last one is still good. */
export function staleReason(
  stamp: Stamp | undefined,
  hash: string,
  outputs = { buildId: join(root, ".next/BUILD_ID"), stylesheet: STYLESHEET },
): string | undefined {
  if (!existsSync(outputs.buildId)) return "there is no build yet";
  if (!existsSync(outputs.stylesheet)) return "the login page stylesheet is missing";
  if (!stamp) return "the last build left no stamp";
  if (stamp.inputs !== hash) return "sources, dependencies or settings changed since the last build";
  return undefined;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0
        ? resolvePromise()
        : reject(
            new Error(`${relative(root, command) || command} ${args[0] ?? ""} failed (${signal ?? `exit ${code}`})`),
          ),
    );
  });
}

/** Runs `next build` and the stylesheet build, then writes the stamp. */
export async function build(env: Record<string, string | undefined> = process.env): Promise<void> {
  const hash = inputsHash(env);
  await run(process.execPath, [join(root, "node_modules/next/dist/bin/next"), "build"]);
  await run(join(root, "node_modules/.bin/tailwindcss"), [
    "-i",
    join(root, "idp/views/styles.css"),
    "-o",
    STYLESHEET,
    "--minify",
  ]);
  mkdirSync(dirname(STAMP_FILE), { recursive: true });
  writeFileSync(
    STAMP_FILE,
    `${JSON.stringify({ inputs: hash, builtAt: new Date().toISOString() } satisfies Stamp, null, 2)}\n`,
  );
}

/** Why the last build is out of date, or `undefined` (and when it was made) when it is current. */
export function buildStatus(env: Record<string, string | undefined> = process.env): {
  reason?: string;
  builtAt?: string;
} {
  const stamp = readStamp();
  return { reason: staleReason(stamp, inputsHash(env)), builtAt: stamp?.builtAt };
}

/** Builds unless the stamp says the last build is current; says which it did. */
export async function buildIfChanged(env: Record<string, string | undefined> = process.env): Promise<boolean> {
  const { reason, builtAt } = buildStatus(env);
  if (!reason) {
    console.log(`build: nothing changed since the build of ${builtAt}; skipping next build`);
    return false;
  }
  console.log(`build: building, because ${reason}`);
  await build(env);
  return true;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const local = join(root, ".env.local");
  if (existsSync(local)) process.loadEnvFile(local);
  (process.argv.includes("--if-changed") ? buildIfChanged() : build()).catch((error: unknown) => {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
