/**
 * Runs post-login actions in order and collects the claims they set, refusing the claim
 * names Auth0 would drop so an action that works here also works on a tenant.
 */
import { claimNameProblem } from "../../lib/shared/claims.ts";
import type { ActionOutcome, PostLoginAction, PostLoginApi, PostLoginEvent } from "./types.ts";

/** How long one action may run before the login fails (Auth0 allows 20 s; a local IdP needs far less). */
const ACTION_TIMEOUT_MS = 5_000;

/** A claim name an action may not use; the message says why and what to use instead. */
export class ClaimNameError extends Error {
  override name = "ClaimNameError";
  readonly code = "invalid_claim_name";
}

/** An action module that cannot be loaded (bad shape or a refused claim name). */
export class ActionDefinitionError extends Error {
  override name = "ActionDefinitionError";
  readonly code = "invalid_action";
}

/** An action called `api.access.deny(reason)`. */
export class ActionDeniedError extends Error {
  override name = "ActionDeniedError";
  readonly code = "action_denied";
  readonly action: string;
  readonly reason: string;
  constructor(action: string, reason: string) {
    super(`Action "${action}" denied access: ${reason}`);
    this.action = action;
    this.reason = reason;
  }
}

/** An action threw or timed out; the login must fail rather than mint a token without its claims. */
export class ActionFailedError extends Error {
  override name = "ActionFailedError";
  readonly code = "action_failed";
  readonly action: string;
  constructor(action: string, cause: unknown) {
    super(`Action "${action}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.action = action;
  }
}

/** Throws a {@link ClaimNameError} unless `name` is a custom claim Auth0 would keep (lib/shared/claims.ts). */
export function assertClaimName(name: unknown): asserts name is string {
  const problem = claimNameProblem(name);
  if (problem) throw new ClaimNameError(problem);
}

function assertClaimValue(name: string, value: unknown): void {
  if (value === undefined || JSON.stringify(value) === undefined) {
    throw new ClaimNameError(`The value of "${name}" must be JSON (a string, number, boolean, null, array or object).`);
  }
}

/** Claim names passed as string literals to setCustomClaim in an action's source. */
function literalClaimNames(source: string): string[] {
  const names: string[] = [];
  for (const match of source.matchAll(/setCustomClaim\s*\(\s*(["'`])((?:\\.|(?!\1).)*)\1\s*,/g)) {
    const name = match[2] ?? "";
    if (match[1] === "`" && name.includes("${")) continue;
    names.push(name);
  }
  return names;
}

/**
 * Checks action modules before the IdP starts: each needs a name and a handler, and every
 * claim name written literally in a handler must be one Auth0 keeps. Names computed at run
 * time are checked again when the action sets them.
 */
export function loadActions(actions: readonly PostLoginAction[]): PostLoginAction[] {
  const seen = new Set<string>();
  for (const action of actions) {
    if (!action || typeof action.name !== "string" || !action.name) {
      throw new ActionDefinitionError("Every post-login action needs a name.");
    }
    if (typeof action.onExecutePostLogin !== "function") {
      throw new ActionDefinitionError(`Action "${action.name}" must export onExecutePostLogin(event, api).`);
    }
    if (seen.has(action.name)) throw new ActionDefinitionError(`Action "${action.name}" is listed twice.`);
    seen.add(action.name);
    for (const name of literalClaimNames(action.onExecutePostLogin.toString())) {
      try {
        assertClaimName(name);
      } catch (error) {
        throw new ActionDefinitionError(`Action "${action.name}": ${(error as Error).message}`);
      }
    }
  }
  return [...actions];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

async function withTimeout(run: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the actions in order for one token. The first `deny` stops the flow with an
 * {@link ActionDeniedError}; a throw stops it with an {@link ActionFailedError}. Either way no
 * claims are returned, so no token is minted without them.
 */
export async function runPostLoginActions(
  actions: readonly PostLoginAction[],
  event: PostLoginEvent,
  timeoutMs: number = ACTION_TIMEOUT_MS,
): Promise<ActionOutcome> {
  const outcome: ActionOutcome = { accessTokenClaims: {}, idTokenClaims: {} };
  for (const action of actions) {
    let denial: string | undefined;
    const setter = (target: Record<string, unknown>) => (name: string, value: unknown) => {
      assertClaimName(name);
      assertClaimValue(name, value);
      target[name] = structuredClone(value);
    };
    const api: PostLoginApi = {
      accessToken: { setCustomClaim: setter(outcome.accessTokenClaims) },
      idToken: { setCustomClaim: setter(outcome.idTokenClaims) },
      access: {
        deny(reason) {
          denial ??= String(reason || "Access denied");
        },
      },
    };
    try {
      // Each action gets its own frozen copy: one action cannot change what the next one sees.
      await withTimeout(Promise.resolve(action.onExecutePostLogin(deepFreeze(structuredClone(event)), api)), timeoutMs);
    } catch (error) {
      throw new ActionFailedError(action.name, error);
    }
    if (denial !== undefined) throw new ActionDeniedError(action.name, denial);
  }
  return outcome;
}
