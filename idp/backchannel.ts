/**
 * OpenID Connect Back-Channel Logout, delivered: a logout token POSTed to every client that
 * registered a `backchannel_logout_uri`, retried a few times with backoff when the client does
 * not answer 200, and never in the way of the request that ended the session.
 *
 * oidc-provider sends logout tokens itself only from its end-session endpoint, and tries once
 * (its fetch gives up after 2.5 s). {@link installBackchannelLogout} logs those attempts and
 * retries the failed ones; {@link deliverLogout} is the same delivery for sessions this IdP ends
 * by other means (revoke-access.ts). Only identifiers are logged, never a logout token.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Client, KoaContextWithOIDC, Provider } from "oidc-provider";
import { createLogger, type Logger } from "./logger.ts";

/** oidc-provider's Client#backchannelLogout, which its type declarations leave out. */
type LogoutCapableClient = Client & { backchannelLogout(sub: string, sid: string | undefined): Promise<void> };

export interface BackchannelOptions {
  /**
   * Milliseconds to wait before each retry of a failed delivery; one retry per entry.
   * Default: [1000, 5000, 15000] (four attempts within about 21 s, well inside the logout
   * token's two-minute lifetime; each attempt sends a fresh token)
   */
  retryDelaysMs?: readonly number[];
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 5_000, 15_000];

/** What happened to one logout token's delivery, all attempts counted. */
export interface DeliveryOutcome {
  clientId: string;
  delivered: boolean;
  attempts: number;
}

interface Installed {
  logger: Logger;
  retryDelaysMs: readonly number[];
  /** Aborted when the IdP closes: pending retries stop. */
  stopped: AbortController;
}

const installed = new WeakMap<Provider, Installed>();

function setupFor(provider: Provider): Installed {
  let setup = installed.get(provider);
  if (!setup) {
    setup = { logger: createLogger("info"), retryDelaysMs: DEFAULT_RETRY_DELAYS_MS, stopped: new AbortController() };
    installed.set(provider, setup);
  }
  return setup;
}

/** Why a delivery failed, in words safe to log: the HTTP status or the network error's code. */
function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return "unknown";
  const status = (error as { response?: { status?: unknown } }).response?.status;
  if (typeof status === "number") return `http_${status}`;
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === "string") return cause.code;
  if (error.name === "TimeoutError" || error.name === "AbortError") return "timeout";
  return typeof cause?.message === "string" ? cause.message : error.message;
}

/**
 * Sends `client` a logout token for (`sub`, `sid`), retrying after each of the configured
 * delays. Resolves with the outcome; never rejects. `firstAttempt` > 1 continues a delivery
 * someone else already tried (oidc-provider's end-session).
 */
export async function deliverLogout(
  provider: Provider,
  client: Client,
  sub: string,
  sid: string | undefined,
  firstAttempt = 1,
): Promise<DeliveryOutcome> {
  const { logger, retryDelaysMs, stopped } = setupFor(provider);
  const fields = { client_id: client.clientId, account_id: sub };
  const attempts = retryDelaysMs.length + 1;
  for (let attempt = firstAttempt; attempt <= attempts; attempt += 1) {
    if (attempt > 1) {
      try {
        await sleep(retryDelaysMs[attempt - 2] ?? 0, undefined, { signal: stopped.signal });
      } catch {
        logger.warn({ ...fields, attempt }, "back-channel logout not delivered; the IdP is stopping");
        return { clientId: client.clientId, delivered: false, attempts: attempt - 1 };
      }
    }
    try {
      await (client as LogoutCapableClient).backchannelLogout(sub, sid);
      logger.info({ ...fields, attempt }, "back-channel logout delivered");
      return { clientId: client.clientId, delivered: true, attempts: attempt };
    } catch (error) {
      const last = attempt === attempts;
      logger[last ? "error" : "warn"](
        { ...fields, attempt, reason: failureReason(error) },
        last ? "back-channel logout not delivered; giving up" : "back-channel logout not delivered; will retry",
      );
    }
  }
  return { clientId: client.clientId, delivered: false, attempts };
}

/**
 * Logs oidc-provider's own deliveries (end-session) and retries the failed ones in the
 * background; sets the logger and retry delays {@link deliverLogout} uses for this provider.
 */
export function installBackchannelLogout(provider: Provider, logger: Logger, options: BackchannelOptions = {}): void {
  installed.set(provider, {
    logger,
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    stopped: new AbortController(),
  });
  provider.on("backchannel.success", (_ctx: KoaContextWithOIDC, client: Client, accountId: string) =>
    logger.info({ client_id: client.clientId, account_id: accountId, attempt: 1 }, "back-channel logout delivered"),
  );
  provider.on(
    "backchannel.error",
    (_ctx: KoaContextWithOIDC, error: Error, client: Client, accountId: string, sid: string) => {
      const retries = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
      const last = retries.length === 0;
      logger[last ? "error" : "warn"](
        { client_id: client.clientId, account_id: accountId, attempt: 1, reason: failureReason(error) },
        last ? "back-channel logout not delivered; giving up" : "back-channel logout not delivered; will retry",
      );
      if (!last) void deliverLogout(provider, client, accountId, sid, 2);
    },
  );
}

/** Stops pending retries (the IdP is closing). */
export function stopBackchannelRetries(provider: Provider): void {
  installed.get(provider)?.stopped.abort();
}
