import { errors } from "jose";

import { KeySourceError } from "./key-source.ts";

/**
 * What every JWT verifier here (access tokens, logout tokens, DPoP proofs, the doctor) agrees
 * on before and after jose: the shape of a compact token, the size and clock defaults, and what
 * a jose error means. Each verifier keeps its own wording; the reasons come from here.
 */

/** Longest token accepted by default, in characters: refused before any parsing. */
export const DEFAULT_MAX_TOKEN_LENGTH = 8192;

/** Seconds of clock skew tolerated by default on time claims (`exp`, `nbf`, `iat`). */
export const DEFAULT_CLOCK_TOLERANCE = 5;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// A JWE's encrypted key is empty with direct encryption ("dir"), so its second part may be.
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Three non-empty base64url parts: a compact JWS (RFC 7515 §7.1), or at least its shape. */
export const isCompactJws = (value: string): boolean => COMPACT_JWS.test(value);

/** Five base64url parts: an encrypted token (RFC 7516 §7.1), which no verifier here reads. */
export const isCompactJwe = (value: string): boolean => COMPACT_JWE.test(value);

/**
 * Why a token is refused before jose sees it, or `undefined` when it may be parsed: `missing`
 * (not a string, or empty), `too_large` (over `maxLength`), `malformed` (not a compact JWS).
 */
export function tokenShapeProblem(
  token: unknown,
  maxLength = DEFAULT_MAX_TOKEN_LENGTH,
): "missing" | "too_large" | "malformed" | undefined {
  if (typeof token !== "string" || token === "") return "missing";
  if (token.length > maxLength) return "too_large";
  if (!isCompactJws(token)) return "malformed";
  return undefined;
}

/** A jose (or key source) failure, by kind; the error itself, which may hold claims, stays behind. */
export type JoseFailure =
  /** The keys could not be fetched: not the token's fault. */
  | { kind: "keys_unavailable"; cause: unknown }
  /** A time claim is past: `exp`, or `iat` older than `maxTokenAge` (`claim: "iat"`). */
  | { kind: "expired"; claim: string }
  /** Another claim or header check failed (`reason` as jose says: `check_failed`, `missing`, …). */
  | { kind: "claim"; claim: string; reason: string }
  | {
      kind:
        | "signature"
        | "alg_not_allowed"
        | "unknown_key"
        | "ambiguous_key"
        | "unsupported"
        | "malformed"
        /** Anything else; still the token's doing (jose throws TypeError on odd input). */
        | "invalid";
    };

export function classifyJoseError(error: unknown): JoseFailure {
  if (error instanceof KeySourceError) return { kind: "keys_unavailable", cause: error.cause };
  // JWTExpired extends JWTClaimValidationFailed: it goes first.
  if (error instanceof errors.JWTExpired) return { kind: "expired", claim: error.claim };
  if (error instanceof errors.JWTClaimValidationFailed)
    return { kind: "claim", claim: error.claim, reason: error.reason };
  if (error instanceof errors.JWSSignatureVerificationFailed) return { kind: "signature" };
  if (error instanceof errors.JOSEAlgNotAllowed) return { kind: "alg_not_allowed" };
  if (error instanceof errors.JWKSNoMatchingKey) return { kind: "unknown_key" };
  if (error instanceof errors.JWKSMultipleMatchingKeys) return { kind: "ambiguous_key" };
  if (error instanceof errors.JOSENotSupported) return { kind: "unsupported" };
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return { kind: "malformed" };
  return { kind: "invalid" };
}
