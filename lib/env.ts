/**
 * The web app's settings, validated once at start-up (and at build) with zod.
 *
 * Defaults serve a fresh clone offline against the local IdP in idp/. Pointing the app at
 * Auth0, Keycloak or any OpenID Provider is a matter of these variables alone (see README).
 * A missing or malformed value stops the program with one line naming the variable.
 * This is the only module of the app that reads process.env.
 */
import "server-only";
import { createPrivateKey } from "node:crypto";
import { join } from "node:path";
import { z } from "zod";
import { ASYMMETRIC_ALGORITHMS, DPOP_MODES } from "./resource-server/algorithms";
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
} from "./shared/settings";

const root = process.cwd();

const url = z.url({ protocol: /^https?$/ });

const DPOP_KEY_EXPECTED = "expected an EC P-256 private JSON Web Key (run `npm run setup`)";

/** Whether a value is an EC P-256 private JWK that node:crypto can load. */
function isDpopPrivateKey(json: string): boolean {
  try {
    const key = createPrivateKey({ key: JSON.parse(json), format: "jwk" });
    return key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1";
  } catch {
    return false;
  }
}
const seconds = z.coerce.number().int().nonnegative();

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** The app's own origin; Auth.js builds its redirect URI from it. Default: {@link DEFAULT_APP_URL} */
  APP_URL: url.default(DEFAULT_APP_URL).transform((v) => v.replace(/\/$/, "")),
  /** Where the app's database lives. Default: the SQLite file prisma/dev.db */
  DATABASE_URL: z.string().regex(DATABASE_URL_PATTERN, DATABASE_URL_EXPECTED).default(defaultDatabaseUrl(root)),
  /** Encrypts Auth.js cookies and signs its CSRF tokens. Written by `npm run setup`. */
  AUTH_SECRET: z
    .string("expected at least 32 characters (run `npm run setup`)")
    .min(32, "expected at least 32 characters (run `npm run setup`)"),
  /** The OpenID Provider's issuer URL (Auth0: https://YOUR_TENANT.auth0.com/). Default: {@link DEFAULT_ISSUER_URL}, the local IdP */
  AUTH_ISSUER: url.default(DEFAULT_ISSUER_URL),
  /** This app's client id at the IdP. Default: claimtrip-web */
  AUTH_CLIENT_ID: z.string().min(1).default("claimtrip-web"),
  /** This app's client secret at the IdP. Written by `npm run setup` for the local IdP. */
  AUTH_CLIENT_SECRET: z
    .string("expected the client secret registered at the IdP (run `npm run setup`)")
    .min(1, "expected the client secret registered at the IdP (run `npm run setup`)"),
  /** Scopes to ask for; offline_access brings the refresh token. */
  AUTH_SCOPE: z.string().default("openid profile email offline_access"),
  /** The API's identifier: the audience its access tokens must carry. Default: {@link DEFAULT_API_AUDIENCE} */
  API_AUDIENCE: z.string().min(1).default(DEFAULT_API_AUDIENCE),
  /**
   * How the authorization request names the API: `audience` (Auth0), `resource` (RFC 8707:
   * oidc-provider, Entra ID v1) or `none` (Keycloak, where client scopes decide the audience).
   * Default: audience
   */
  AUTH_AUDIENCE_PARAM: z.enum(["audience", "resource", "none"]).default("audience"),
  /**
   * The app's DPoP key (RFC 9449): an EC P-256 private JWK, as JSON. Tokens are bound to it and
   * every API call is signed with it. Written by `npm run setup`; unset (development only), the
   * app uses plain bearer tokens. Default: none
   */
  AUTH_DPOP_PRIVATE_KEY: z.string().refine(isDpopPrivateKey, DPOP_KEY_EXPECTED).optional(),
  /** Refresh the access token when it has fewer than this many seconds left. Default: 30 */
  AUTH_REFRESH_SKEW: seconds.default(30),
  /** Signing algorithms the API accepts for access tokens (comma-separated). Default: RS256,ES256 */
  API_ALGORITHMS: z
    .string()
    .default("RS256,ES256")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1)),
  /**
   * DPoP at the API (RFC 9449): `allowed` takes bearer and DPoP-bound tokens, `required` only
   * DPoP-bound ones, `off` only bearer ones. A DPoP-bound token needs its proof in every mode.
   * Default: allowed
   */
  API_DPOP: z.enum(DPOP_MODES).default("allowed"),
  /** The `typ` header access tokens must carry (RFC 9068). Empty to accept any. Default: at+jwt */
  API_TOKEN_TYP: z.string().default("at+jwt"),
  /** The access-token claim that carries the user's roles ({@link rolesClaimSetting}). */
  ROLES_CLAIM: rolesClaimSetting,
  /** The Management API client's id (Auth0: a Machine-to-Machine application). Default: claimtrip-management */
  MANAGEMENT_CLIENT_ID: z.string().min(1).default("claimtrip-management"),
  /** Its client secret. Written by `npm run setup` for the local IdP; unset, /admin cannot change roles. */
  MANAGEMENT_CLIENT_SECRET: z.string().min(1).optional(),
  /** The Management API's identifier, also its base URL. Default: <AUTH_ISSUER>/api/v2/ */
  MANAGEMENT_AUDIENCE: url.optional(),
  /** How recent (seconds) an admin's sign-in must be to change roles; older means a password prompt. Default: 600 */
  ADMIN_REAUTH_MAX_AGE: seconds.default(600),
  /** Log level for the app's structured logs. Default: info */
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /**
   * A name for this instance behind a load balancer (letters, digits, `.`, `_`, `-`; up to 64): sent
   * as the `x-claimtrip-instance` response header and an `instance` field in every log line.
   * Default: unset (neither)
   */
  INSTANCE_ID: z
    .string()
    .regex(/^[\w.-]{1,64}$/, "expected up to 64 letters, digits, '.', '_' or '-'")
    .optional(),
  /** `json` or `pretty` (pino-pretty). Default: pretty when stdout is a terminal, else json */
  LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
});

export type Env = z.infer<typeof schema> & { MANAGEMENT_AUDIENCE: string };

/** The settings with the defaults that depend on others filled in. */
function withDerived(data: z.infer<typeof schema>): Env {
  return {
    ...data,
    MANAGEMENT_AUDIENCE: data.MANAGEMENT_AUDIENCE ?? `${data.AUTH_ISSUER.replace(/\/+$/, "")}/api/v2/`,
  };
}

/** Validates a set of variables. Throws an error whose message is one line naming the first bad one. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0]!; // a failed parse has at least one issue
    throw new Error(`Invalid setting ${String(issue.path[0])}: ${issue.message}`);
  }
  const env = withDerived(result.data);
  const [refused] = productionRefusals(env);
  if (refused) throw new Error(refused.line);
  return env;
}

/**
 * Every setting production refuses, in order (start-up stops at the first; the doctor lists them all):
 * - development secrets would be guessable if they shipped: a deployment (production, not on
 *   loopback, by parsed hostname) refuses them;
 * - Auth.js takes the ID token from the token endpoint without checking its signature, trusting
 *   TLS (OIDC Core 3.1.3.7): over plain http a network attacker could sign anyone in, and serve
 *   their own JWKS to the API.
 */
function productionRefusals(env: Env): SettingProblem[] {
  const problems = developmentSecretRefusals(env.NODE_ENV, env.APP_URL, {
    AUTH_SECRET: env.AUTH_SECRET,
    AUTH_CLIENT_SECRET: env.AUTH_CLIENT_SECRET,
    MANAGEMENT_CLIENT_SECRET: env.MANAGEMENT_CLIENT_SECRET,
  });
  if (isDeployed(env.NODE_ENV, env.APP_URL)) {
    const dpopKey = env.AUTH_DPOP_PRIVATE_KEY;
    if (dpopKey === undefined) {
      problems.push({
        name: "AUTH_DPOP_PRIVATE_KEY",
        line: "Invalid setting AUTH_DPOP_PRIVATE_KEY: production needs the app's DPoP key (README: DPoP)",
      });
    } else {
      const { kid } = JSON.parse(dpopKey) as { kid?: unknown };
      if (typeof kid === "string" && isDevelopmentSecret(kid))
        problems.push({
          name: "AUTH_DPOP_PRIVATE_KEY",
          line: "Invalid setting AUTH_DPOP_PRIVATE_KEY: the generated development key cannot be used in production",
        });
    }
  }
  for (const name of ["APP_URL", "AUTH_ISSUER", "MANAGEMENT_AUDIENCE"] as const) {
    if (needsHttps(env.NODE_ENV, env[name]))
      problems.push({
        name,
        line: `Invalid setting ${name}: production needs an https:// URL (plain http only on localhost)`,
      });
  }
  return problems;
}

/**
 * Checks every variable on its own, for `npm run doctor`, which reports all the problems
 * instead of stopping at the first: the values that are valid, and one problem per bad variable.
 */
export function checkEnv(source: Record<string, string | undefined>): {
  values: Partial<Env>;
  problems: SettingProblem[];
} {
  const values: Record<string, unknown> = {};
  const problems: SettingProblem[] = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    const result = field.safeParse(source[name]);
    if (result.success) values[name] = result.data;
    else
      problems.push({ name, line: `Invalid setting ${name}: ${result.error.issues[0]?.message ?? "invalid value"}` });
  }
  if (problems.length === 0) {
    for (const problem of productionRefusals(withDerived(values as z.infer<typeof schema>))) {
      problems.push(problem);
      delete values[problem.name];
    }
  }
  return { values: values as Partial<Env>, problems };
}

function load(): Env {
  // Next.js reads .env.local itself; scripts and tests outside Next do not. Variables already
  // set in the environment win over the file, as in Next.js; with AUTH_SECRET set, the settings
  // are already there (Next.js loaded them, or a test set its own) and the file is not read.
  const source = process.env.AUTH_SECRET ? process.env : withEnvFile(process.env, join(root, ".env.local"));
  let env: Env;
  try {
    env = parseEnv(source);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  // Auth.js reads its base URL from AUTH_URL; derive it so APP_URL stays the one setting.
  process.env.AUTH_URL ??= `${env.APP_URL}/api/auth`;
  return env;
}

let loaded: Env | undefined;

/**
 * The settings, read and checked on first use. Modules read them as they load, so a bad value
 * still stops start-up and the build; the delay only lets `npm run doctor` import
 * {@link checkEnv} without being stopped by the very problems it reports.
 */
export const env: Env = new Proxy({} as Env, {
  get: (_target, name) => {
    loaded ??= load();
    return Reflect.get(loaded, name);
  },
});
