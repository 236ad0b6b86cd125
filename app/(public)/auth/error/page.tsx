import type { Metadata } from "next";
import { signInProblem } from "@/lib/auth/sign-in-problem";
import { env } from "@/lib/env";
import { SignInButton } from "../../../_components/auth-buttons";

export const metadata: Metadata = { title: "Sign-in problem" };

/** Shows a fixed message per error code: nothing else of the URL, which anyone can write. */
export default async function AuthErrorPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string | string[] }>;
}) {
  const { error } = await searchParams;
  const { message } = await signInProblem(typeof error === "string" ? error : "Configuration", env.AUTH_ISSUER);
  return (
    <div className="mx-auto max-w-xl space-y-6" data-testid="auth-error">
      <h1 className="text-2xl font-semibold">Sign-in problem</h1>
      <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-4 text-amber-900">
        {message}
      </p>
      <div className="flex items-center gap-4">
        <SignInButton />
        <a href="/">Back to the start page</a>
      </div>
    </div>
  );
}
