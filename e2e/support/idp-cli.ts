/**
 * The IdP's command line (`npm run db:seed -- …`, idp/cli.ts) against the run's database, run
 * the way the npm script runs it: plain Node stripping the types.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type DemoUser, SERVER_ENV } from "../settings";

export function idpCli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ["--experimental-strip-types", "idp/cli.ts", ...args], {
    env: { ...process.env, ...SERVER_ENV },
  });
}

/** Sets a user's roles at the IdP (`roles <email> [role ...]`). */
export const setRolesOf = (user: DemoUser, ...roles: string[]) => idpCli("roles", user.email, ...roles);
