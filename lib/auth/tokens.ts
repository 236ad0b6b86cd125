/**
 * The signed-in user's tokens, kept on the server (in the Account row) and nowhere else.
 *
 * `getAccessToken` hands out a token with some life left, refreshing it first when it is
 * expired or about to expire. The IdP rotates refresh tokens and treats a second use of an old
 * one as theft (it revokes the whole grant), so a refresh must happen exactly once even when
 * many requests, in one process or in several app instances, find the token stale together:
 * one of them takes a short lease on the row, the others wait for its result.
 */
import "server-only";
import type { Account } from "@auth/core/types";
import { db } from "../db";
import { env } from "../env";
import { requestLogger } from "../logger";
import { providerMetadata } from "./discovery";
import { IdpUnavailableError, SessionExpiredError, TokenUnavailableError } from "./errors";
import { OUTCOME_UNKNOWN, requestRefresh, revoke, type TokenResponse } from "./idp-requests";
import { PROVIDER_ID } from "./provider";

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

/** Stores the tokens a sign-in just received (see the signIn event in ./config.ts). */
export async function saveTokens(account: Account): Promise<void> {
  await db.account.update({
    where: { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } },
    data: {
      access_token: account.access_token ?? null,
      refresh_token: account.refresh_token ?? null,
      id_token: account.id_token ?? null,
      expires_at: account.expires_at ?? null,
      scope: account.scope ?? null,
      token_type: account.token_type ?? null,
      refreshLeaseUntil: null,
      tokenVersion: { increment: 1 },
    },
  });
}

function findAccount(userId: string) {
  return db.account.findFirst({ where: { userId, provider: PROVIDER_ID } });
}

type AccountRow = NonNullable<Awaited<ReturnType<typeof findAccount>>>;

/** The user's tokens as stored, for the token inspector. Raw tokens never leave the server. */
export async function readTokens(userId: string): Promise<StoredTokens | null> {
  const account = await findAccount(userId);
  if (!account) return null;
  return {
    accessToken: account.access_token,
    idToken: account.id_token,
    expiresAt: account.expires_at,
    hasRefreshToken: Boolean(account.refresh_token),
  };
}

const fresh = (account: AccountRow, now = Date.now()) =>
  Boolean(account.access_token) &&
  account.expires_at !== null &&
  account.expires_at * 1000 - env.AUTH_REFRESH_SKEW * 1000 > now;

/** What a dead grant leaves behind: no usable token, no lease, and a version bump for waiters. */
const FORGOTTEN = {
  access_token: null,
  refresh_token: null,
  expires_at: null,
  refreshLeaseUntil: null,
  tokenVersion: { increment: 1 },
};

/** Refreshes already under way in this process, by account id. */
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
 * An access token for the app's API with at least AUTH_REFRESH_SKEW seconds left.
 * Throws SessionExpiredError (sign in again) or IdpUnavailableError (try again later).
 */
export async function getAccessToken(userId: string, options: GetAccessTokenOptions = {}): Promise<string> {
  return (await getApiAccessToken(userId, options)).value;
}

/** {@link getAccessToken}, with whether the token is DPoP-bound. */
export async function getApiAccessToken(userId: string, options: GetAccessTokenOptions = {}): Promise<ApiAccessToken> {
  const account = await findAccount(userId);
  if (!account?.access_token)
    throw new SessionExpiredError("no tokens are stored for this user", { reason: "no_tokens" });
  if (fresh(account) && !options.current) return { value: account.access_token, dpop: isDpop(account.token_type) };
  let pending = inFlight.get(account.id);
  if (!pending) {
    pending = refreshOnce(account).finally(() => inFlight.delete(account.id));
    inFlight.set(account.id, pending);
  }
  return pending;
}

async function refreshOnce(seen: AccountRow): Promise<ApiAccessToken> {
  // Before the lease: a slow discovery must not eat into the time the lease is held.
  const { token_endpoint } = await providerMetadata();
  const { leaseMs, pollMs } = refreshTimings;
  const deadline = Date.now() + 2 * leaseMs;
  let current = seen;
  while (Date.now() < deadline) {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const lease = await db.account.updateMany({
      where: {
        id: current.id,
        tokenVersion: current.tokenVersion,
        OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: now } }],
      },
      data: { refreshLeaseUntil: leaseUntil },
    });
    if (lease.count === 1) return refreshHoldingLease(current, leaseUntil, token_endpoint);

    // Another request (perhaps in another instance) is refreshing, or just did: wait for it.
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const latest = await db.account.findUnique({ where: { id: current.id } });
    if (!latest?.access_token) {
      throw new SessionExpiredError("the tokens were removed while refreshing", { reason: "tokens_removed" });
    }
    if (latest.tokenVersion !== current.tokenVersion && fresh(latest)) {
      return { value: latest.access_token, dpop: isDpop(latest.token_type) };
    }
    current = latest;
  }
  throw new IdpUnavailableError(env.AUTH_ISSUER, { reason: "lease_timeout" });
}

async function refreshHoldingLease(
  account: AccountRow,
  leaseUntil: Date,
  tokenEndpoint: string,
): Promise<ApiAccessToken> {
  const log = (await requestLogger()).child({ userId: account.userId });
  // Every write below is conditional on the version this refresh started from (and the
  // release, on still holding our lease): a newer sign-in or refresh is never overwritten.
  const ours = { id: account.id, tokenVersion: account.tokenVersion };
  const release = () =>
    db.account.updateMany({ where: { ...ours, refreshLeaseUntil: leaseUntil }, data: { refreshLeaseUntil: null } });
  if (!account.refresh_token) {
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
    tokens = await requestRefresh(tokenEndpoint, account.refresh_token, refreshTimings.refreshTimeoutMs);
  } catch (error) {
    const { code, reason } =
      error instanceof TokenUnavailableError ? error : { code: "unexpected", reason: "unexpected" };
    log.warn({ event: "token_refresh_failed", code, reason }, "token refresh failed");
    if (error instanceof SessionExpiredError) {
      // The grant is dead (revoked, expired, or reused elsewhere): forget its tokens.
      // The ID token stays: sign-out still needs it as id_token_hint.
      await db.account.updateMany({ where: ours, data: FORGOTTEN });
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
  const stored = await db.account.updateMany({
    where: ours,
    data: {
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token ?? account.refresh_token,
      id_token: tokens.id_token ?? account.id_token,
      expires_at: tokens.expires_in ? Math.floor(Date.now() / 1000) + tokens.expires_in : null,
      scope: tokens.scope ?? account.scope,
      token_type: tokens.token_type ?? account.token_type,
      refreshLeaseUntil: null,
      tokenVersion: { increment: 1 },
    },
  });
  if (stored.count === 0) {
    // A sign-in (or a refresh that took over) wrote newer tokens meanwhile: they stay. This
    // answer's access token is still good for the request that asked for it.
    log.warn({ event: "token_refresh", outcome: "superseded" }, "token refresh landed after newer tokens; not stored");
    return { value: tokens.access_token, dpop: isDpop(tokens.token_type ?? account.token_type) };
  }
  log.info({ event: "token_refresh", outcome: "done", rotated: Boolean(tokens.refresh_token) }, "token refreshed");
  return { value: tokens.access_token, dpop: isDpop(tokens.token_type ?? account.token_type) };
}

/**
 * Call after deleting the signing-out session. When it was the user's last one, forgets the
 * user's tokens and revokes the refresh token at the IdP (RFC 7009); the tokens belong to the
 * user's account, so other signed-in browsers keep theirs. Returns the ID token, which the
 * IdP's logout endpoint takes as `id_token_hint`.
 */
export async function endTokens(userId: string): Promise<string | null> {
  const account = await findAccount(userId);
  if (!account) return null;
  const otherSessions = await db.session.count({ where: { userId, expires: { gt: new Date() } } });
  if (otherSessions > 0) return account.id_token;
  await db.account.update({
    where: { id: account.id },
    data: { ...FORGOTTEN, id_token: null },
  });
  if (account.refresh_token) await revoke(account.refresh_token).catch(() => undefined);
  return account.id_token;
}
