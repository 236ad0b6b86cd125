/**
 * Why a signed-in user's tokens could not be used. Each error carries a stable `code` that the
 * sign-in error page turns into a message, so a failure never becomes a 500 page.
 *
 * Not called `AuthError`: next-auth exports an `AuthError` of its own (the base of every Auth.js
 * error), and the two would be one auto-import away from being confused.
 */

export type TokenUnavailableCode = "idp_unavailable" | "session_expired" | "not_signed_in";

export interface TokenUnavailableOptions extends ErrorOptions {
  /** Which step failed, for the logs (an OAuth error code such as `invalid_grant`). Default: the code */
  reason?: string;
}

export class TokenUnavailableError extends Error {
  readonly code: TokenUnavailableCode;
  /** Log-safe: a fixed word or the IdP's OAuth error code, never anything the IdP echoed. */
  readonly reason: string;

  constructor(code: TokenUnavailableCode, message: string, options?: TokenUnavailableOptions) {
    super(message, options);
    this.name = "TokenUnavailableError";
    this.code = code;
    this.reason = options?.reason ?? code;
  }
}

/** The IdP did not answer (down, unreachable, or answering with errors). */
export class IdpUnavailableError extends TokenUnavailableError {
  constructor(issuer: string, options?: TokenUnavailableOptions) {
    super("idp_unavailable", `the identity provider at ${issuer} is not answering`, options);
  }
}

/** The refresh token is gone, revoked or rejected: only a new sign-in helps. */
export class SessionExpiredError extends TokenUnavailableError {
  constructor(message = "the sign-in has expired", options?: TokenUnavailableOptions) {
    super("session_expired", message, options);
  }
}
