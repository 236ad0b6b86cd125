/**
 * What `npm start` and `npm run dev` run, decided from the settings alone: the app always, and
 * the local IdP (idp/) only when the app signs in with it. Pointed at Auth0 or Keycloak, the
 * app runs alone, and says so first. `npm run start:app` and `npm run start:idp` run one of
 * them, for a scale-out where each host runs one role.
 *
 *   node scripts/programs.ts    prints what a run would start, and why (the first line of npm start / dev)
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_APP_URL, DEFAULT_ISSUER_URL, withEnvFile } from "../lib/shared/settings.ts";

/** The programs a run can start. */
export type ProgramName = "idp" | "app";

/** The port APP_URL names, or its scheme's default. Throws a line naming APP_URL when it is not an http(s) URL. */
export function appPort(appUrl = DEFAULT_APP_URL): string {
  const url = URL.canParse(appUrl) ? new URL(appUrl) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
    throw new Error(
      `Invalid setting APP_URL: expected the app's http(s) URL, such as ${DEFAULT_APP_URL}, got ${JSON.stringify(appUrl)}`,
    );
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

/**
 * The port the app listens on: `--port`, else PORT, else APP_URL's. Behind a load balancer,
 * APP_URL stays the public URL every instance shares and each instance gets its own port.
 * Throws a line naming the setting when it is not a port.
 */
export function listenPort(settings: Readonly<Record<string, string | undefined>>, flag?: string): string {
  for (const [name, value] of [
    ["--port", flag],
    ["PORT", settings.PORT],
  ] as const) {
    if (value === undefined || value === "") continue;
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535)
      throw new Error(`Invalid setting ${name}: expected a TCP port (1-65535), got ${JSON.stringify(value)}`);
    return String(Number(value));
  }
  return appPort(settings.APP_URL || undefined);
}

export interface RunPlan {
  /** In start order. */
  programs: ProgramName[];
  /** Printed first: what runs, and why. */
  notice: string;
}

/** The same issuer up to URL spelling and a trailing slash (the doctor reports the slash). */
function sameIssuer(a: string, b: string): boolean {
  if (!URL.canParse(a) || !URL.canParse(b)) return false;
  const normal = (value: string) => new URL(value).href.replace(/\/+$/, "");
  return normal(a) === normal(b);
}

/** Whether AUTH_ISSUER (the IdP the app signs in with) is the local IdP that IDP_ISSUER describes. */
export function usesLocalIdp(settings: Readonly<Record<string, string | undefined>>): boolean {
  return sameIssuer(settings.AUTH_ISSUER || DEFAULT_ISSUER_URL, settings.IDP_ISSUER || DEFAULT_ISSUER_URL);
}

/**
 * The programs to start for these settings (the environment over .env.local): both, or the one
 * `only` names (`npm run start:app`, `npm run start:idp`); `port` is the app's.
 */
export function planRun(
  settings: Readonly<Record<string, string | undefined>>,
  only?: ProgramName,
  port = listenPort(settings),
): RunPlan {
  const app = settings.APP_URL || DEFAULT_APP_URL;
  const issuer = settings.AUTH_ISSUER || DEFAULT_ISSUER_URL;
  const local = settings.IDP_ISSUER || DEFAULT_ISSUER_URL;
  const where = port === appPort(app) ? `(${app})` : `on port ${port} (public URL ${app})`;
  if (only === "app") {
    return {
      programs: ["app"],
      notice: `Starting the app alone ${where}, signing in with ${issuer}; the IdP runs elsewhere${usesLocalIdp(settings) ? " (npm run start:idp)" : ""}.`,
    };
  }
  if (only === "idp") {
    return {
      programs: ["idp"],
      notice: `Starting the local IdP alone (${local}); the app runs elsewhere (npm run start:app).`,
    };
  }
  if (usesLocalIdp(settings)) {
    return {
      programs: ["idp", "app"],
      notice: `Starting the local IdP (${issuer}) and the app ${where}: AUTH_ISSUER names the local IdP.`,
    };
  }
  return {
    programs: ["app"],
    notice:
      `Starting the app alone ${where}: AUTH_ISSUER is ${issuer}, not the local IdP (${local}), ` +
      "so the local IdP stays off. `npm run doctor` checks the settings against that issuer.",
  };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  // Variables already set in the environment win over .env.local, as in both programs.
  const local = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), ".env.local");
  console.log(planRun(withEnvFile(process.env, local)).notice);
}
