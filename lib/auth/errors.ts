/**
 * Why a signed-in user's tokens could not be used. Each error carries a stable `code` that the
 * sign-in error page turns into a message, so a failure never becomes a 500 page.
 */

export type AuthErrorCode = "idp_unavailable" | "session_expired" | "not_signed_in";

export interface AuthErrorOptions extends ErrorOptions {
  /** Which step failed, for the logs (an OAuth error code such as `invalid_grant`). Default: the code */
  reason?: string;
}

export class AuthError extends Error {
  /** Log-safe: a fixed word or the IdP's OAuth error code, never anything the IdP echoed. */
  readonly reason: string;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: AuthErrorOptions,
  ) {
    super(message, options);
    this.name = "AuthError";
    this.reason = options?.reason ?? code;
  }
}

/** The IdP did not answer (down, unreachable, or answering with errors). */
export class IdpUnavailableError extends AuthError {
  constructor(issuer: string, options?: AuthErrorOptions) {
    super("idp_unavailable", `the identity provider at ${issuer} is not answering`, options);
  }
}

/** The refresh token is gone, revoked or rejected: only a new sign-in helps. */
export class SessionExpiredError extends AuthError {
  constructor(message = "the sign-in has expired", options?: AuthErrorOptions) {
    super("session_expired", message, options);
  }
}
