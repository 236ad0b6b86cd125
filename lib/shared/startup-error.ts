/**
 * What a program prints when it cannot start: one line for a problem the operator can fix (the
 * setting, post-login action or port the message names is the whole story), everything a bug
 * report needs otherwise (stack, cause). `npm start` (scripts/run.ts) and the IdP on its own
 * (idp/server.ts) answer alike. Plain Node, like ./settings.ts: both import it.
 */
import { inspect } from "node:util";

/**
 * Errors whose message is written for the operator, by name, so this module needs none of the
 * programs' classes: idp/env.ts's SettingsError, idp/actions/runtime.ts's ActionDefinitionError,
 * idp/listen.ts's IdpListenError.
 */
const OPERATOR_ERRORS = new Set(["SettingsError", "ActionDefinitionError", "IdpListenError"]);

/**
 * The text to print for `error`. With `plainErrorsToo`, a plain `Error` counts as the operator's
 * too: scripts/run.ts and lib/shared throw those for a setting or a port, with a message that
 * names it.
 */
export function startupErrorText(error: unknown, { plainErrorsToo = false } = {}): string {
  if (typeof error === "string") return error;
  if (!(error instanceof Error)) return inspect(error);
  const forOperator =
    OPERATOR_ERRORS.has(error.name) || (plainErrorsToo && Object.getPrototypeOf(error) === Error.prototype);
  return forOperator ? error.message : inspect(error);
}
