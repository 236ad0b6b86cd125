import type { Metadata } from "next";
import { idpAnswers } from "@/lib/auth/discovery";
import { env } from "@/lib/env";
import { SignInButton } from "../../../_components/auth-buttons";

export const metadata: Metadata = { title: "Sign-in problem" };

/** Auth.js error types and the app's own codes (lib/auth/errors.ts), in the user's words. */
const messages: Record<string, string> = {
  AccessDenied: "The identity provider did not let this sign-in through.",
  access_denied: "The identity provider did not let this sign-in through.",
  OAuthCallbackError: "The identity provider answered the sign-in with an error.",
  OAuthAccountNotLinked: "Another user is signed in in this browser. Sign out first, then sign in again.",
  MissingCSRF: "The sign-in form expired. Please try again.",
  Verification: "The sign-in link is no longer valid.",
  session_expired: "Your sign-in has expired or was revoked. Please sign in again.",
  not_signed_in: "Please sign in.",
  idp_unavailable: "The identity provider is not answering right now.",
  Configuration: "The sign-in could not be completed.",
};

export default async function AuthErrorPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; reason?: string }>;
}) {
  const { error = "Configuration", reason } = await searchParams;
  // Auth.js reports an unreachable IdP as a configuration problem; ask the IdP to tell them apart.
  const unreachable = error === "idp_unavailable" || (error === "Configuration" && !(await idpAnswers()));
  const message = unreachable
    ? `The identity provider at ${env.AUTH_ISSUER} is not answering. Public pages still work; try signing in again in a moment.`
    : (messages[error] ?? messages.Configuration);
  return (
    <div className="mx-auto max-w-xl space-y-6" data-testid="auth-error">
      <h1 className="text-2xl font-semibold">Sign-in problem</h1>
      <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-4 text-amber-900">
        {message}
      </p>
      {reason && !unreachable && (
        <p className="text-sm text-slate-700">
          The identity provider said: <q>{reason.slice(0, 200)}</q>
        </p>
      )}
      <div className="flex items-center gap-4">
        <SignInButton />
        <a href="/">Back to the start page</a>
      </div>
    </div>
  );
}
