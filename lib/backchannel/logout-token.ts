/**
 * Verifies a Back-Channel Logout token (OpenID Connect Back-Channel Logout 1.0 §2.6) with the same
 * keys, algorithm list and compact-JWS rules as every other token from the IdP. A logout token
 * ends sessions, so it must not be mistakable for another token: `typ` is `logout+jwt` when
 * present, `events` holds the logout event, `sid` or `sub` is named, a `jti` is there and no `nonce`
 * (an ID token has one). `iat` is bounded by `maxAge`, `exp` checked when present.
 *
 * Whether the `jti` was seen before is for the caller, who stores it (./logout.ts).
 */
import "server-only";
import { jwtVerify, type JWTVerifyGetKey } from "jose";
import {
  classifyJoseError,
  DEFAULT_CLOCK_TOLERANCE,
  DEFAULT_MAX_TOKEN_LENGTH,
  tokenShapeProblem,
  type AsymmetricAlgorithm,
  type JoseFailure,
} from "../resource-server";

export const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

export interface LogoutTokenVerifierOptions {
  /** The issuer's keys, shared with the access-token verifier (lib/issuer/keys.ts). */
  keys: JWTVerifyGetKey;
  /** The issuer identifier, exactly as `iss` spells it. */
  issuer: string;
  /** This app's client id: the token's audience. */
  clientId: string;
  /** Accepted `alg` values (asymmetric only, as for access tokens). */
  algorithms: readonly AsymmetricAlgorithm[];
  /** Seconds of clock skew tolerated on `iat` and `exp`. Default: 5 */
  clockTolerance?: number;
  /** Oldest token accepted, in seconds since its `iat` (oidc-provider's live 120 s). Default: 300 */
  maxAge?: number;
  /** Longest token accepted, in characters. Default: 8192 */
  maxTokenLength?: number;
}

export interface LogoutClaims {
  jti: string;
  sub?: string;
  sid?: string;
  /** After this the token would be refused anyway (expired or too old): its `jti` may be forgotten. */
  acceptableUntil: Date;
}

/** The token is not a valid logout token; `reason` names the check, for logs only. */
export class LogoutTokenError extends Error {
  override name = "LogoutTokenError";
  readonly reason: string;
  constructor(reason: string) {
    super(`not a valid logout token (${reason})`);
    this.reason = reason;
  }
}

/** The IdP's keys cannot be fetched: the token may well be fine; the IdP should try again. */
export class LogoutKeysUnavailableError extends Error {
  override name = "LogoutKeysUnavailableError";
}

export interface LogoutTokenVerifier {
  /** @throws {LogoutTokenError} @throws {LogoutKeysUnavailableError} */
  verify(token: string): Promise<LogoutClaims>;
}

const MAX_ID_LENGTH = 255;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const optionalId = (value: unknown): value is string | undefined =>
  value === undefined || (typeof value === "string" && value.length > 0 && value.length <= MAX_ID_LENGTH);

/** RFC 8725 §3.11 / RFC 7515 §4.1.9: compare media types case-insensitively, `application/` optional. */
function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith("application/") ? lower.slice("application/".length) : lower;
}

/** The log reason for a jose failure; only the time claims read differently from an access token's. */
function reasonOf(failure: JoseFailure): string {
  if (failure.kind === "expired") return failure.claim === "iat" ? "too_old" : "expired";
  if (failure.kind === "claim") {
    return failure.claim === "iat" && failure.reason === "check_failed"
      ? "issued_in_future"
      : `${failure.claim}_${failure.reason}`;
  }
  return failure.kind;
}

export function createLogoutTokenVerifier(options: LogoutTokenVerifierOptions): LogoutTokenVerifier {
  const { keys, issuer, clientId } = options;
  const algorithms = [...options.algorithms];
  const clockTolerance = options.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE;
  const maxAge = options.maxAge ?? 300;
  const maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;

  return {
    async verify(token) {
      const shape = tokenShapeProblem(token, maxTokenLength);
      if (shape) throw new LogoutTokenError(shape);

      let verified: Awaited<ReturnType<typeof jwtVerify>>;
      try {
        verified = await jwtVerify(token, keys, {
          issuer,
          audience: clientId,
          algorithms,
          clockTolerance,
          maxTokenAge: maxAge,
          requiredClaims: ["iat", "jti", "events"],
        });
      } catch (error) {
        const failure = classifyJoseError(error);
        if (failure.kind === "keys_unavailable")
          throw new LogoutKeysUnavailableError("the IdP's keys cannot be fetched", { cause: failure.cause });
        throw new LogoutTokenError(reasonOf(failure));
      }
      const { payload, protectedHeader } = verified;

      if (protectedHeader.typ !== undefined && normalizeTyp(protectedHeader.typ) !== "logout+jwt")
        throw new LogoutTokenError("typ");
      if (!isObject(payload.events) || !isObject(payload.events[BACKCHANNEL_LOGOUT_EVENT]))
        throw new LogoutTokenError("events");
      if ("nonce" in payload) throw new LogoutTokenError("nonce");
      const { jti, sub, sid } = payload as { jti: unknown; sub: unknown; sid: unknown };
      if (typeof jti !== "string" || jti === "" || jti.length > MAX_ID_LENGTH) throw new LogoutTokenError("jti");
      if (!optionalId(sub) || !optionalId(sid)) throw new LogoutTokenError("sub_or_sid");
      if (sub === undefined && sid === undefined) throw new LogoutTokenError("no_sub_or_sid");

      const tooOld = (payload.iat! + maxAge + clockTolerance) * 1000;
      const expired = payload.exp === undefined ? tooOld : (payload.exp + clockTolerance) * 1000;
      return { jti, sub, sid, acceptableUntil: new Date(Math.min(tooOld, expired)) };
    },
  };
}
