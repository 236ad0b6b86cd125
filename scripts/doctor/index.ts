/**
 * `npm run doctor`: checks the settings against the live issuer before anyone tries to sign in,
 * and says for each problem what to change. The checks, in order: the settings as the app parses
 * them, the roles claim's name, the issuer (discovery, exact issuer, clock, keys, sign-out), DPoP,
 * the app as its client (credentials, callback URL, how it names the API), the token type, the
 * database and, given one, an actual access token.
 */
import { join, resolve } from "node:path";
import { claimNameProblem } from "../../lib/shared/claims";
import { checkEnv } from "../../lib/env";
import { settingsProblems } from "../../idp/env.ts";
import { withEnvFile } from "../../lib/shared/settings.ts";
import { appPort, listenPort, usesLocalIdp } from "../programs.ts";
import { checkAudience, checkClient, checkTyp, probeAuthorization } from "./client.ts";
import type { DoctorContext } from "./context.ts";
import { checkDatabase } from "./database.ts";
import { checkDpop } from "./dpop.ts";
import { checkIssuer } from "./issuer.ts";
import { fail, ok, report, skip, warn, type Check, type Report } from "./report.ts";
import { checkToken } from "./token.ts";

export { formatReport, type Check, type Report, type Status } from "./report.ts";

export interface DoctorOptions {
  /** The settings: the environment over .env.local ({@link readSettings}). */
  source: Readonly<Record<string, string | undefined>>;
  /** An access token to check as the API would; never printed. */
  token?: string;
  /** Milliseconds to wait for each answer from the IdP. Default: 5000 */
  timeoutMs?: number;
}

/** The settings the app would see: variables in the environment win over `.env.local`. */
export function readSettings(
  environment: Readonly<Record<string, string | undefined>> = process.env,
  envFile: string = join(resolve(import.meta.dirname, "../.."), ".env.local"),
): Record<string, string | undefined> {
  return withEnvFile({ ...environment }, envFile);
}

export async function runDoctor(options: DoctorOptions): Promise<Report> {
  const { values, problems } = checkEnv(options.source);
  const ctx: DoctorContext = {
    env: values,
    local: usesLocalIdp(options.source),
    timeoutMs: options.timeoutMs ?? 5_000,
  };
  const checks: Check[] = [];

  // ROLES_CLAIM has a check of its own, below.
  const others = problems.filter((problem) => problem.name !== "ROLES_CLAIM");
  checks.push(
    ...(others.length
      ? others.map((problem) => fail("settings", problem.line))
      : [ok("settings", "the app accepts every setting")]),
  );
  const listening = listenCheck(options.source, values.APP_URL);
  if (listening) checks.push(listening);
  checks.push(rolesClaimCheck(options.source.ROLES_CLAIM, values.ROLES_CLAIM));
  if (ctx.local) checks.push(...localIdpSettingsChecks(options.source));

  const issuer = await checkIssuer(ctx);
  checks.push(...issuer.checks, checkDpop(ctx, issuer.metadata));
  const probe = await probeAuthorization(ctx, issuer.metadata);
  checks.push(await checkClient(ctx, issuer.metadata, issuer.trusted), probe.redirect, checkAudience(ctx, probe));
  // Given a token, its own typ (token-typ) answers what the IdP sends; guessing by IdP is for without one.
  if (options.token === undefined) checks.push(checkTyp(ctx));
  checks.push(await checkDatabase(values.DATABASE_URL));
  if (options.token !== undefined) checks.push(...(await checkToken(ctx, options.token.trim())));
  return report(checks);
}

/** The local IdP's own settings (idp/env.ts): it refuses to start on the first bad one; all are listed. */
function localIdpSettingsChecks(source: Readonly<Record<string, string | undefined>>): Check[] {
  const problems = settingsProblems(source);
  if (problems.length === 0) return [ok("idp-settings", "the local IdP accepts its settings")];
  if (problems[0]!.startsWith("Invalid setting ROLES_CLAIM"))
    return [skip("idp-settings", "ROLES_CLAIM is not valid (above)")];
  return problems.map((line) => fail("idp-settings", `the local IdP would refuse to start: ${line}`));
}

/**
 * With PORT set, this host's instance is reached on its own port, which can differ from APP_URL
 * (behind a load balancer it should): the one case where the doctor knows the address differs.
 */
function listenCheck(
  source: Readonly<Record<string, string | undefined>>,
  appUrl: string | undefined,
): Check | undefined {
  if (!source.PORT || !appUrl) return undefined;
  let port: string;
  try {
    port = listenPort(source);
  } catch (error) {
    return fail("app-url", (error as Error).message);
  }
  if (port === appPort(appUrl)) return ok("app-url", `this instance listens on APP_URL's port, ${port}`);
  return warn(
    "app-url",
    `this instance listens on port ${port}, but APP_URL is ${appUrl}: the address people use must be APP_URL`,
    `fine behind a load balancer that serves APP_URL; a browser sent straight to port ${port} can read pages but cannot sign in (the IdP knows only APP_URL's callback) nor post a form (refused as cross-origin)`,
  );
}

function rolesClaimCheck(raw: string | undefined, parsed: string | undefined): Check {
  if (parsed) return ok("roles-claim", `ROLES_CLAIM is ${parsed}: a URL namespace that Auth0 keeps in tokens`);
  return fail(
    "roles-claim",
    `ROLES_CLAIM: ${claimNameProblem(raw) ?? "invalid value"}`,
    "the app and the local IdP refuse to start with it",
  );
}
