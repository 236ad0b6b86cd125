/**
 * What `npm start` and `npm run dev` run, decided from the settings alone: the app always, and
 * the local IdP (idp/) only when the app signs in with it. Pointed at Auth0 or Keycloak, the
 * app runs alone, and says so first.
 *
 *   node scripts/programs.ts    prints what a run would start, and why (the first line of npm start / dev)
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { withEnvFile } from "../lib/shared/settings.ts";

/** The programs a run can start. */
export type ProgramName = "idp" | "app";

export interface RunPlan {
  /** In start order. */
  programs: ProgramName[];
  /** Printed first: what runs, and why. */
  notice: string;
}

/** The local IdP's issuer when IDP_ISSUER is unset (idp/env.ts), and AUTH_ISSUER's default (lib/env.ts). */
export const DEFAULT_ISSUER = "http://localhost:4000";

/** The same issuer up to URL spelling and a trailing slash (the doctor reports the slash). */
function sameIssuer(a: string, b: string): boolean {
  if (!URL.canParse(a) || !URL.canParse(b)) return false;
  const normal = (value: string) => new URL(value).href.replace(/\/+$/, "");
  return normal(a) === normal(b);
}

/** Whether AUTH_ISSUER (the IdP the app signs in with) is the local IdP that IDP_ISSUER describes. */
export function usesLocalIdp(settings: Readonly<Record<string, string | undefined>>): boolean {
  return sameIssuer(settings.AUTH_ISSUER || DEFAULT_ISSUER, settings.IDP_ISSUER || DEFAULT_ISSUER);
}

/** The programs to start for these settings (the environment over .env.local). */
export function planRun(settings: Readonly<Record<string, string | undefined>>): RunPlan {
  const app = settings.APP_URL || "http://localhost:3000";
  const issuer = settings.AUTH_ISSUER || DEFAULT_ISSUER;
  if (usesLocalIdp(settings)) {
    return {
      programs: ["idp", "app"],
      notice: `Starting the local IdP (${issuer}) and the app (${app}): AUTH_ISSUER names the local IdP.`,
    };
  }
  return {
    programs: ["app"],
    notice:
      `Starting the app alone (${app}): AUTH_ISSUER is ${issuer}, not the local IdP (${settings.IDP_ISSUER || DEFAULT_ISSUER}), ` +
      "so the local IdP stays off. `npm run doctor` checks the settings against that issuer.",
  };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  // Variables already set in the environment win over .env.local, as in both programs.
  const local = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), ".env.local");
  console.log(planRun(withEnvFile(process.env, local)).notice);
}
