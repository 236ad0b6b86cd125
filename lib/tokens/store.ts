/**
 * Each app session's tokens, kept on the server (SessionTokens, one row per session) and nowhere
 * else. A sign-in writes the set of the session it creates and never touches another session's:
 * the user's other browsers keep their own tokens, refreshes and sign-in time.
 *
 * `getAccessToken` hands out a token with some life left, refreshing it first when it is
 * expired or about to expire. The IdP rotates refresh tokens and treats a second use of an old
 * one as theft (it revokes the whole grant), so a session's refresh must happen exactly once even
 * when many of its requests, in one process or in several app instances, find the token stale
 * together: one of them takes a short lease on the row, the others wait for its result.
 */
import "server-only";
import type { Account } from "@auth/core/types";
import { db } from "../db";
import { env } from "../env";
import { requestLogger } from "../logger";
import { providerMetadata } from "../issuer/discovery";
import { IdpUnavailableError, SessionExpiredError, TokenUnavailableError } from "./errors";
import { OUTCOME_UNKNOWN, requestRefresh, revoke, type TokenResponse } from "./idp-requests";

/**
 * Timings of a refresh. The lease covers only the token request (discovery is fetched before
 * the lease is taken), so it must outlast that request's timeout plus the writes around it:
 * a lease that ran out while its holder still waited for the IdP would let a second request
 * spend the same refresh token, which the IdP treats as theft. Exported for tests.
 */
export const refreshTimings = {
  /** How long the token endpoint gets to answer a refresh. Default: 10 s */
  refreshTimeoutMs: 10_000,
  /** How long one refresh may hold the lease before another request may take over. Default: 20 s */
  leaseMs: 20_000,
  /** How often a waiting request looks whether the refresh it waits for has landed. Default: 100 ms */
  pollMs: 100,
};

export interface StoredTokens {
  accessToken: string | null;
  idToken: string | null;
  /** Seconds since the epoch. */
  expiresAt: number | null;
  hasRefreshToken: boolean;
}

/** The columns of a new session's token set, from what its sign-in's token response held. */
export function tokenSetOf(account: Account) {
  return {
    accessToken: account.access_token ?? null,
    accessTokenExpiresAt: account.expires_at ?? null,
    audience: env.API_AUDIENCE,
    tokenType: account.token_type ?? null,
    scope: account.scope ?? null,
    refreshToken: account.refresh_token ?? null,
    idToken: account.id_token ?? null,
  };
}

function findTokens(sessionId: string) {
  return db.sessionTokens.findUnique({ where: { sessionId } });
}

type TokenRow = NonNullable<Awaited<ReturnType<typeof findTokens>>>;

/** A session's tokens as stored, for the token inspector and gate 3. Raw tokens never leave the server. */
export async function readTokens(sessionId: string): Promise<StoredTokens | null> {
  const row = await findTokens(sessionId);
  if (!row) return null;
  return {
    accessToken: row.accessToken,
    idToken: row.idToken,
    expiresAt: row.accessTokenExpiresAt,
    hasRefreshToken: Boolean(row.refreshToken),
  };
}

const fresh = (row: TokenRow, now = Date.now()) =>
  Boolean(row.accessToken) &&
  row.accessTokenExpiresAt !== null &&
  row.accessTokenExpiresAt * 1000 - env.AUTH_REFRESH_SKEW * 1000 > now;

/** What a dead grant leaves behind: no usable token, no lease, and a version bump for waiters. */
const FORGOTTEN = {
  accessToken: null,
  refreshToken: null,
  accessTokenExpiresAt: null,
  refreshLeaseUntil: null,
  version: { increment: 1 },
};

/** Refreshes already under way in this process, by session id. */
const inFlight = new Map<string, Promise<ApiAccessToken>>();

/** An access token and how it must be presented. */
export interface ApiAccessToken {
  value: string;
  /** The IdP bound it to the app's DPoP key (token_type DPoP): send it with a proof (lib/dpop/). */
  dpop: boolean;
}

const isDpop = (tokenType: string | null | undefined) => tokenType?.toLowerCase() === "dpop";

export interface GetAccessTokenOptions {
  /**
   * Refresh even when the stored token has time left, so the claims reflect the IdP's view now
   * (a role removed a minute ago, a grant revoked): for sensitive actions. Default: false
   */
  current?: boolean;
}

/**
 * An access token of this app session for the app's API, with at least AUTH_REFRESH_SKEW
 * seconds left. Throws SessionExpiredError (sign in again; also for a session created before
 * tokens were kept per session) or IdpUnavailableError (try again later).
 */
export async function getAccessToken(sessionId: string, options: GetAccessTokenOptions = {}): Promise<string> {
  return (await getApiAccessToken(sessionId, options)).value;
}

/** {@link getAccessToken}, with whether the token is DPoP-bound. */
export async function getApiAccessToken(
  sessionId: string,
  options: GetAccessTokenOptions = {},
): Promise<ApiAccessToken> {
  const row = await findTokens(sessionId);
  if (!row?.accessToken)
    throw new SessionExpiredError("no tokens are stored for this session", { reason: "no_tokens" });
  if (fresh(row) && !options.current) return { value: row.accessToken, dpop: isDpop(row.tokenType) };
  let pending = inFlight.get(sessionId);
  if (!pending) {
    pending = refreshOnce(row).finally(() => inFlight.delete(sessionId));
    inFlight.set(sessionId, pending);
  }
  return pending;
}

async function refreshOnce(seen: TokenRow): Promise<ApiAccessToken> {
  // Before the lease: a slow discovery must not eat into the time the lease is held.
  const { token_endpoint } = await providerMetadata();
  const { leaseMs, pollMs } = refreshTimings;
  const deadline = Date.now() + 2 * leaseMs;
  let current = seen;
  while (Date.now() < deadline) {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const lease = await db.sessionTokens.updateMany({
      where: {
        sessionId: current.sessionId,
        version: current.version,
        OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: now } }],
      },
      data: { refreshLeaseUntil: leaseUntil },
    });
    if (lease.count === 1) return refreshHoldingLease(current, leaseUntil, token_endpoint);

    // Another request (perhaps in another instance) is refreshing, or just did: wait for it.
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const latest = await findTokens(current.sessionId);
    if (!latest?.accessToken) {
      throw new SessionExpiredError("the tokens were removed while refreshing", { reason: "tokens_removed" });
    }
    if (latest.version !== current.version && fresh(latest)) {
      return { value: latest.accessToken, dpop: isDpop(latest.tokenType) };
    }
    current = latest;
  }
  throw new IdpUnavailableError(env.AUTH_ISSUER, { reason: "lease_timeout" });
}

async function refreshHoldingLease(row: TokenRow, leaseUntil: Date, tokenEndpoint: string): Promise<ApiAccessToken> {
  const log = await requestLogger();
  // Every write below is conditional on the version this refresh started from (and the
  // release, on still holding our lease): a write that raced it is never overwritten.
  const ours = { sessionId: row.sessionId, version: row.version };
  const release = () =>
    db.sessionTokens.updateMany({
      where: { ...ours, refreshLeaseUntil: leaseUntil },
      data: { refreshLeaseUntil: null },
    });
  if (!row.refreshToken) {
    await release();
    log.warn(
      { event: "token_refresh_failed", code: "session_expired", reason: "no_refresh_token" },
      "token refresh failed",
    );
    throw new SessionExpiredError("the access token expired and there is no refresh token", {
      reason: "no_refresh_token",
    });
  }
  let tokens: TokenResponse;
  try {
    tokens = await requestRefresh(tokenEndpoint, row.refreshToken, refreshTimings.refreshTimeoutMs);
  } catch (error) {
    const { code, reason } =
      error instanceof TokenUnavailableError ? error : { code: "unexpected", reason: "unexpected" };
    log.warn({ event: "token_refresh_failed", code, reason }, "token refresh failed");
    if (error instanceof SessionExpiredError) {
      // The grant is dead (revoked, expired, or reused elsewhere): forget its tokens.
      // The ID token stays: sign-out still needs it as id_token_hint.
      await db.sessionTokens.updateMany({ where: ours, data: FORGOTTEN });
    } else if (reason !== OUTCOME_UNKNOWN) {
      // Not the user's fault (IdP down, busy, misconfigured): keep the refresh token.
      await release();
    }
    // After a timeout the lease is kept until it lapses: the IdP may still be working on the
    // request, and a resend that overtook it would be reuse. See requestRefresh.
    throw error;
  }
  // One write stores the rotated refresh token together with the new access token and
  // releases the lease; the old refresh token is gone from here on.
  const stored = await db.sessionTokens.updateMany({
    where: ours,
    data: {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? row.refreshToken,
      idToken: tokens.id_token ?? row.idToken,
      accessTokenExpiresAt: tokens.expires_in ? Math.floor(Date.now() / 1000) + tokens.expires_in : null,
      tokenType: tokens.token_type ?? row.tokenType,
      scope: tokens.scope ?? row.scope,
      refreshLeaseUntil: null,
      version: { increment: 1 },
    },
  });
  if (stored.count === 0) {
    // The session ended (signed out, logged out by the IdP) while the IdP answered. This answer's
    // access token is still good for the request that asked for it; nothing is stored.
    log.warn(
      { event: "token_refresh", outcome: "superseded" },
      "token refresh landed after the tokens changed; not stored",
    );
    return { value: tokens.access_token, dpop: isDpop(tokens.token_type ?? row.tokenType) };
  }
  log.info({ event: "token_refresh", outcome: "done", rotated: Boolean(tokens.refresh_token) }, "token refreshed");
  return { value: tokens.access_token, dpop: isDpop(tokens.token_type ?? row.tokenType) };
}

/**
 * Sign-out of one session: forgets its tokens and revokes its refresh token at the IdP (RFC 7009),
 * leaving every other session of the user as it was. Returns the ID token, which the IdP's logout
 * endpoint takes as `id_token_hint`. Call before the session itself is deleted.
 */
export async function endTokens(sessionId: string): Promise<string | null> {
  const row = await findTokens(sessionId);
  if (!row) return null;
  await db.sessionTokens.updateMany({
    where: { sessionId },
    data: { ...FORGOTTEN, idToken: null },
  });
  if (row.refreshToken) await revoke(row.refreshToken).catch(() => undefined);
  return row.idToken;
}

/**
 * Ends app sessions of a user (all of them, or all but `keepSessionId`): deletes them with their
 * token sets and revokes their refresh tokens at the IdP, so no grant outlives its session.
 * Returns how many sessions ended.
 */
export async function endUserSessions(userId: string, keepSessionId?: string): Promise<number> {
  const where = { userId, ...(keepSessionId ? { NOT: { id: keepSessionId } } : {}) };
  const ending = await db.session.findMany({ where, select: { tokens: { select: { refreshToken: true } } } });
  const { count } = await db.session.deleteMany({ where });
  const refreshTokens = ending.flatMap((session) =>
    session.tokens?.refreshToken ? [session.tokens.refreshToken] : [],
  );
  await Promise.all(refreshTokens.map((token) => revoke(token).catch(() => undefined)));
  return count;
}
