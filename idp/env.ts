/**
 * The IdP's settings, validated once at start-up with zod. The only module of idp/ that reads
 * process.env; everything else receives a parsed {@link IdpSettings}.
 *
 * `<repo>/.env.local` (written by `npm run setup`) is read too, without overriding variables
 * already set in the environment. A missing or malformed value stops start-up with one line
 * naming the variable and what it expects.
 */
import { join, resolve } from "node:path";
import { z } from "zod";
import {
  DATABASE_URL_EXPECTED,
  DATABASE_URL_PATTERN,
  DEFAULT_API_AUDIENCE,
  DEFAULT_APP_URL,
  DEFAULT_ISSUER_URL,
  defaultDatabaseUrl,
  developmentSecretRefusals,
  isDeployed,
  isDevelopmentSecret,
  LOG_FORMATS,
  LOG_LEVELS,
  needsHttps,
  rolesClaimSetting,
  type SettingProblem,
  withEnvFile,
} from "../lib/shared/settings.ts";

/** The repository root (idp/ lives directly under it). */
export const repoRoot = resolve(import.meta.dirname, "..");

const httpUrl = z.url({ protocol: /^https?$/, message: "expected an http(s) URL" });

const issuer = httpUrl
  .refine((v) => {
    // zod runs this even after the URL check failed: leave an unparsable value to that check's message.
    if (!URL.canParse(v)) return true;
    const u = new URL(v);
    return (u.pathname === "/" || u.pathname === "") && !u.search && !u.hash;
  }, `expected an origin such as ${DEFAULT_ISSUER_URL} (no path, query or fragment)`)
  .transform((v) => new URL(v).origin);

const schema = z.object({
  /** `production` turns on the secret checks below. Default: development */
  NODE_ENV: z
    .enum(["development", "production", "test"], "expected development, production or test")
    .default("development"),
  /** Where IdP users and oidc-provider state live. Default: the SQLite file prisma/dev.db */
  DATABASE_URL: z.string().regex(DATABASE_URL_PATTERN, DATABASE_URL_EXPECTED).default(defaultDatabaseUrl(repoRoot)),
  /** The web app's origin; claimtrip-web's redirect URIs hang off it. Default: {@link DEFAULT_APP_URL} */
  APP_URL: httpUrl.default(DEFAULT_APP_URL).transform((v) => v.replace(/\/+$/, "")),
  /** The app API's resource identifier (the `aud` of its access tokens). Default: {@link DEFAULT_API_AUDIENCE} */
  API_AUDIENCE: z.string().min(1, "expected the API's resource identifier").default(DEFAULT_API_AUDIENCE),
  /** The claim the add-roles action puts the roles in, the app's ROLES_CLAIM ({@link rolesClaimSetting}). */
  ROLES_CLAIM: rolesClaimSetting,
  /** The issuer identifier; the IdP listens on its port. Default: {@link DEFAULT_ISSUER_URL} */
  IDP_ISSUER: issuer.default(DEFAULT_ISSUER_URL),
  /** claimtrip-web's client secret (the app's AUTH_CLIENT_SECRET). Written by `npm run setup`. */
  IDP_WEB_CLIENT_SECRET: z
    .string("expected claimtrip-web's client secret (run `npm run setup`)")
    .min(16, "expected at least 16 characters (run `npm run setup`)"),
  /**
   * claimtrip-management's client secret (the app's MANAGEMENT_CLIENT_SECRET): the Management
   * API's machine client. Written by `npm run setup`; unset, the client is not registered.
   */
  IDP_MANAGEMENT_CLIENT_SECRET: z.string().min(16, "expected at least 16 characters (run `npm run setup`)").optional(),
  /** Keys that sign the IdP's cookies, comma-separated, newest first. Written by `npm run setup`. */
  IDP_COOKIE_KEYS: z
    .string("expected comma-separated cookie signing keys (run `npm run setup`)")
    .transform((v) =>
      v
        .split(",")
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().min(16, "expected each key to have at least 16 characters"))
        .min(1, "expected at least one key"),
    ),
  /** Access-token lifetime in seconds; bounds how long a removed role lingers. Default: 300 */
  IDP_ACCESS_TOKEN_TTL: z.coerce
    .number("expected a whole number of seconds")
    .int("expected a whole number of seconds")
    .min(30, "expected at least 30 seconds")
    .max(86_400, "expected at most 86400 seconds (one day)")
    .default(300),
  /**
   * How many proxies in front of the IdP append the address they saw to X-Forwarded-For (a
   * TLS-terminating proxy is one). With N > 0 the client's address is the Nth entry from the
   * right (never a client-supplied leftmost one), and the IdP takes its scheme and host from
   * IDP_ISSUER, so its cookies are Secure behind TLS. Only the proxies may reach the IdP. Default: 0
   */
  IDP_TRUST_PROXY_HOPS: z.coerce
    .number("expected a whole number of proxies (0 when clients reach the IdP directly)")
    .int("expected a whole number of proxies (0 when clients reach the IdP directly)")
    .min(0, "expected 0 or more proxies")
    .max(10, "expected at most 10 proxies")
    .default(0),
  /** Holds jwks.json (private signing keys); git-ignored. Default: <repo>/idp/.data */
  IDP_DATA_DIR: z
    .string()
    .min(1)
    .default(join(repoRoot, "idp/.data"))
    .transform((v) => resolve(v)),
  /** Log level of the IdP's structured logs (same name as the app's). Default: info */
  LOG_LEVEL: z.enum(LOG_LEVELS, `expected ${LOG_LEVELS.join(", ")}`).default("info"),
  /** `json` or `pretty` (same name as the app's). Default: pretty when stdout is a terminal, else json */
  LOG_FORMAT: z.enum(LOG_FORMATS, `expected ${LOG_FORMATS.join(" or ")}`).optional(),
});

export type IdpSettings = z.infer<typeof schema>;

/** A setting that failed validation; `message` is the one line start-up prints. */
export class SettingsError extends Error {
  override name = "SettingsError";
}

/**
 * What a set of variables would stop the IdP with: the first variable that fails validation, or
 * else every setting production refuses (start-up names the first; `npm run doctor` lists them all).
 */
export function settingsProblems(source: Record<string, string | undefined>): string[] {
  const result = schema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0];
    return [`Invalid setting ${String(issue?.path[0] ?? "?")}: ${issue?.message ?? "invalid value"}`];
  }
  return productionRefusals(result.data).map((problem) => problem.line);
}

/**
 * Same rules as lib/env.ts (lib/shared/settings.ts): `npm start` on a laptop runs in production
 * mode against localhost with the generated secrets; a deployed IdP (any other host) must bring its own.
 */
function productionRefusals(settings: IdpSettings): SettingProblem[] {
  const refused = developmentSecretRefusals(settings.NODE_ENV, settings.IDP_ISSUER, {
    IDP_WEB_CLIENT_SECRET: settings.IDP_WEB_CLIENT_SECRET,
    IDP_MANAGEMENT_CLIENT_SECRET: settings.IDP_MANAGEMENT_CLIENT_SECRET,
  });
  if (
    isDeployed(settings.NODE_ENV, settings.IDP_ISSUER) &&
    settings.IDP_COOKIE_KEYS.some((k) => isDevelopmentSecret(k) || k.length < 32)
  )
    refused.push({
      name: "IDP_COOKIE_KEYS",
      line: "Invalid setting IDP_COOKIE_KEYS: production needs its own keys of at least 32 characters, not the development ones",
    });
  if (needsHttps(settings.NODE_ENV, settings.IDP_ISSUER))
    refused.push({ name: "IDP_ISSUER", line: "Invalid setting IDP_ISSUER: production needs an https:// issuer" });
  if (needsHttps(settings.NODE_ENV, settings.APP_URL))
    refused.push({
      name: "APP_URL",
      line: "Invalid setting APP_URL: production needs an https:// URL (plain http only on localhost)",
    });
  return refused;
}

/**
 * Validates a set of variables (tests pass their own). Throws a {@link SettingsError} whose
 * message names the first bad variable.
 */
export function parseSettings(source: Record<string, string | undefined>): IdpSettings {
  const [problem] = settingsProblems(source);
  if (problem) throw new SettingsError(problem);
  return schema.parse(source);
}

/**
 * The settings of this process: `.env.local` under the given environment (real variables win).
 * Does not touch process.env.
 */
export function loadSettings(
  env: Record<string, string | undefined> = process.env,
  envFile: string = join(repoRoot, ".env.local"),
): IdpSettings {
  return parseSettings(withEnvFile(env, envFile));
}

/** The TCP port the issuer names. */
export function issuerPort(settings: Pick<IdpSettings, "IDP_ISSUER">): number {
  const url = new URL(settings.IDP_ISSUER);
  if (url.port) return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}
