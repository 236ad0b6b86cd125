/**
 * Starts the IdP on the issuer's port:  npm run idp  (node --experimental-strip-types idp/server.ts)
 *
 * Settings come from the environment and <repo>/.env.local (idp/env.ts). SIGTERM or SIGINT
 * stops it gracefully: no new connections, in-flight requests finish, the database closes.
 */
// First: loads oidc-provider with its runtime line held back (./node-check.ts).
import { startIdp } from "./listen.ts";
import { loadSettings } from "./env.ts";
import { startupErrorText } from "../lib/shared/startup-error.ts";

async function main(): Promise<void> {
  const idp = await startIdp(loadSettings());
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    idp.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        idp.logger.error({ err: error }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  // Start-up problems an operator can fix get one line; anything else keeps its stack.
  console.error(startupErrorText(error));
  process.exit(1);
});
