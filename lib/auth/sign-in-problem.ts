/**
 * What the sign-in error page tells the user, from Auth.js's error type or the app's own codes
 * (../tokens/errors.ts). Never a stack trace, never which part of a login was wrong.
 */
import "server-only";
import { idpAnswers } from "../issuer/discovery";

const FALLBACK_MESSAGE = "The sign-in could not be completed.";

const messages: Record<string, string> = {
  AccessDenied: "The identity provider did not let this sign-in through.",
  access_denied: "The identity provider did not let this sign-in through.",
  OAuthCallbackError: "The identity provider answered the sign-in with an error.",
  OAuthAccountNotLinked: "Another user is signed in in this browser. Sign out first, then sign in again.",
  MissingCSRF: "The sign-in form expired. Please try again.",
  Verification: "The sign-in link is no longer valid.",
  session_expired: "Your sign-in has expired or was revoked. Please sign in again.",
  not_signed_in: "Please sign in.",
  Configuration: FALLBACK_MESSAGE,
};

export interface SignInProblem {
  message: string;
  /** The IdP did not answer. */
  unreachable: boolean;
}

/**
 * Auth.js reports an IdP it cannot reach as a configuration problem, like a real one; asking
 * the IdP's discovery endpoint tells the two apart, so the user learns the IdP is down.
 */
export async function signInProblem(
  error: string,
  issuer: string,
  answers: () => Promise<boolean> = idpAnswers,
): Promise<SignInProblem> {
  const unreachable = error === "idp_unavailable" || (error === "Configuration" && !(await answers()));
  if (unreachable) {
    return {
      unreachable,
      message: `The identity provider at ${issuer} is not answering. Public pages still work; try signing in again in a moment.`,
    };
  }
  // Own keys only: `?error=constructor` must not find Object.prototype's.
  return {
    unreachable,
    message: Object.hasOwn(messages, error) ? (messages[error] ?? FALLBACK_MESSAGE) : FALLBACK_MESSAGE,
  };
}
