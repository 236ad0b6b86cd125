/**
 * Where the end-to-end run lives: its own ports and its own SQLite file, so it never collides
 * with a demo (`npm start` on 3000/4000) running on the same machine, and never reads that
 * demo's data. playwright.config.ts starts the servers with exactly these settings.
 */
import { join } from "node:path";

/** The repository root (this folder's parent). */
export const REPO_ROOT = join(import.meta.dirname, "..");

/**
 * The ports of the run: 3100 and 4100 unless `E2E_APP_PORT` / `E2E_IDP_PORT` say otherwise, so
 * two checkouts on one machine can run their suites side by side.
 */
function port(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** The web app under test. */
export const APP_URL = `http://localhost:${port("E2E_APP_PORT", 3100)}`;

/**
 * The scale-out specs' own servers (backchannel-logout-scale-out.spec.ts, scale-out-nginx.spec.ts):
 * an IdP and two app instances sharing one PostgreSQL database, and nginx in front of them, on
 * ports derived from the app's port (+2000, +3000, +4000 and +5000: 5100, 6100, 7100 and 8100 by
 * default), clear of the run's 3xxx/4xxx pairs.
 */
export const SCALE_OUT = (() => {
  const app = port("E2E_APP_PORT", 3100);
  for (const offset of [2000, 3000, 4000, 5000]) {
    if (app + offset > 65535)
      throw new Error(`E2E_APP_PORT ${app} leaves no room for the scale-out ports (+${offset})`);
  }
  return {
    instanceA: `http://localhost:${app + 2000}`,
    instanceB: `http://localhost:${app + 3000}`,
    idp: `http://localhost:${app + 4000}`,
    /** nginx, the public URL of scale-out-nginx.spec.ts. */
    loadBalancer: `http://localhost:${app + 5000}`,
  };
})();

/**
 * `npm start`'s own demo in npm-start.spec.ts: the app and the IdP in one process, on the app's
 * port +6000 and +7000 (9100 and 10100 by default).
 */
export const NPM_START = (() => {
  const app = port("E2E_APP_PORT", 3100);
  if (app + 7000 > 65535) throw new Error(`E2E_APP_PORT ${app} leaves no room for npm start's ports (+7000)`);
  return { app: `http://localhost:${app + 6000}`, idp: `http://localhost:${app + 7000}` };
})();

/** The app API's resource identifier for this run (the `aud` of the app's access tokens). */
export const API_AUDIENCE = `${APP_URL}/api`;

/** The local IdP under test. */
export const IDP_URL = `http://localhost:${port("E2E_IDP_PORT", 4100)}`;

/** The second API registered at the IdP; its tokens must never open the app's API. */
export const OTHER_API = "urn:claimtrip:reports";

/** Access-token lifetime for the run (the IdP's minimum), short so the refresh spec waits little. */
export const ACCESS_TOKEN_TTL_SECONDS = 30;

/** The app refreshes only when this few seconds are left, so a fresh token is not refreshed early. */
export const REFRESH_SKEW_SECONDS = 5;

/**
 * How recent an admin's sign-in must be to change roles, for the run: long enough for a spec
 * that signs alice in to make its changes, short enough that the re-authentication spec waits
 * it out.
 */
export const ADMIN_REAUTH_MAX_AGE_SECONDS = 60;

/** Everything a run writes (git-ignored). */
export const OUTPUT_DIR = join(REPO_ROOT, "e2e/.output");

/** The run's database, recreated at the start of every run. */
export const DB_FILE = join(OUTPUT_DIR, "e2e.db");

/** Saved browser state of the signed-in demo users (git-ignored). */
export const AUTH_DIR = join(REPO_ROOT, "e2e/.auth");

export interface DemoUser {
  email: string;
  password: string;
  /** What the app shows in its header for this user (name, or the email as a fallback). */
  shownAs: RegExp;
  storageState: string;
}

/** Seeded by `npm run setup`: the admin. */
export const alice: DemoUser = {
  email: "alice@example.com",
  password: "alice-password",
  shownAs: /alice/i,
  storageState: join(AUTH_DIR, "alice.json"),
};

/** Seeded by `npm run setup`: no role. */
export const bob: DemoUser = {
  email: "bob@example.com",
  password: "bob-password",
  shownAs: /bob/i,
  storageState: join(AUTH_DIR, "bob.json"),
};

/**
 * Settings both servers of the run get (playwright.config.ts), and anything a spec runs against
 * them (the IdP's seed CLI); secrets come from .env.local, which `scripts/setup.ts` writes.
 */
export const SERVER_ENV: Record<string, string> = {
  NODE_ENV: "production",
  DATABASE_URL: `file:${DB_FILE}`,
  APP_URL,
  API_AUDIENCE,
  AUTH_ISSUER: IDP_URL,
  IDP_ISSUER: IDP_URL,
  IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL_SECONDS),
  AUTH_REFRESH_SKEW: String(REFRESH_SKEW_SECONDS),
  ADMIN_REAUTH_MAX_AGE: String(ADMIN_REAUTH_MAX_AGE_SECONDS),
  // The most verbose output both servers write, so the log check (logs-clean.teardown.ts) sees all of it.
  LOG_LEVEL: "debug",
};
