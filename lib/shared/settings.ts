/**
 * The settings rules both programs share: the web app (lib/env.ts), the IdP (idp/env.ts) and the
 * scripts (scripts/run.ts, scripts/database-url.ts). Each program keeps its own zod schema; what
 * must not drift between them is said once, here.
 *
 * Plain Node on purpose: no `server-only`, no imports from the app, so that the IdP (which
 * imports nothing of the app but lib/shared/ and lib/resource-server/) and the scripts can use it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { claimNameProblem, ROLES_CLAIM } from "./claims.ts";

/** The app's origin on a fresh clone: APP_URL's default in both programs. */
export const DEFAULT_APP_URL = "http://localhost:3000";

/** The local IdP's issuer: IDP_ISSUER's default, and AUTH_ISSUER's (the app signs in with it). */
export const DEFAULT_ISSUER_URL = "http://localhost:4000";

/** The API's identifier (the `aud` of its access tokens): API_AUDIENCE's default in both programs. */
export const DEFAULT_API_AUDIENCE = `${DEFAULT_APP_URL}/api`;

/**
 * ROLES_CLAIM in both programs: the access-token claim that carries the user's roles, a URL-like
 * namespace you own (your tenant's, on Auth0). Default: {@link ROLES_CLAIM}
 */
export const rolesClaimSetting = z
  .string()
  .default(ROLES_CLAIM)
  .superRefine((name, ctx) => {
    const problem = claimNameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** A variable start-up would refuse, and the one line it would print. */
export interface SettingProblem {
  name: string;
  line: string;
}

/** Secrets `npm run setup` generates start with this; production refuses them outside loopback. */
export const DEV_SECRET_MARK = "dev-only-";

/** Log levels, as pino names them; LOG_LEVEL in both programs. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** What LOG_FORMAT may be, in both programs (lib/shared/logging.ts). */
export const LOG_FORMATS = ["pretty", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** LOG_FORMAT when it is set; otherwise pretty on a terminal and JSON anywhere else (a pipe, a file, CI). */
export function resolveLogFormat(setting: LogFormat | undefined, stdoutIsTTY: boolean | undefined): LogFormat {
  return setting ?? (stdoutIsTTY ? "pretty" : "json");
}

/** What DATABASE_URL may be: SQLite or PostgreSQL. */
export const DATABASE_URL_PATTERN = /^(file:|postgres(ql)?:\/\/)/;
export const DATABASE_URL_EXPECTED = "expected file:<path> (SQLite) or postgresql://… (PostgreSQL)";

/** The default DATABASE_URL: the SQLite file prisma/dev.db under `root`, as an absolute path. */
export function defaultDatabaseUrl(root: string): string {
  return `file:${join(root, "prisma/dev.db")}`;
}

/**
 * Whether `url` points at this machine: `localhost`, 127.0.0.0/8 or `[::1]`, by the *parsed*
 * hostname. A string prefix is not enough: `http://localhost.evil.example` and
 * `http://localhost@evil.example` start like localhost and go elsewhere.
 */
export function isLoopbackUrl(url: string): boolean {
  let hostname: string;
  try {
    ({ hostname } = new URL(url));
  } catch {
    return false;
  }
  // The URL parser has already turned 127.1, 0x7f.0.0.1 and the long IPv6 forms into these.
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Whether a program reached at `publicUrl` is deployed: production mode on a name other than
 * loopback. `npm start` on a laptop runs production mode on localhost with the generated
 * secrets; a deployment must bring its own.
 */
export function isDeployed(nodeEnv: string, publicUrl: string): boolean {
  return nodeEnv === "production" && !isLoopbackUrl(publicUrl);
}

/** Whether `value` is one of the development secrets `npm run setup` generates. */
export function isDevelopmentSecret(value: string): boolean {
  return value.startsWith(DEV_SECRET_MARK);
}

/**
 * The secrets (by setting name) a program reached at `publicUrl` refuses: none unless it is
 * deployed, where a generated development secret would be guessable.
 */
export function developmentSecretRefusals(
  nodeEnv: string,
  publicUrl: string,
  secrets: Readonly<Record<string, string | undefined>>,
): SettingProblem[] {
  if (!isDeployed(nodeEnv, publicUrl)) return [];
  return Object.entries(secrets)
    .filter(([, value]) => value !== undefined && isDevelopmentSecret(value))
    .map(([name]) => ({
      name,
      line: `Invalid setting ${name}: the generated development secret cannot be used in production`,
    }));
}

/**
 * Whether production must refuse `url` for lack of TLS: production mode, plain http, and not
 * loopback (traffic that never leaves the machine needs no TLS).
 */
export function needsHttps(nodeEnv: string, url: string): boolean {
  return nodeEnv === "production" && !isLoopbackUrl(url) && new URL(url).protocol !== "https:";
}

/** Variables from a dotenv file, or none when it does not exist. */
export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  return parseEnv(readFileSync(path, "utf8")) as Record<string, string>;
}

/**
 * `env` on top of the variables in the dotenv file at `path` (`<repo>/.env.local`, written by
 * `npm run setup`): what the environment sets wins, as in Next.js. Touches neither.
 */
export function withEnvFile(env: Record<string, string | undefined>, path: string): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...readEnvFile(path) };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}
