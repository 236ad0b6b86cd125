import { safeReturnPath } from "@/lib/auth/return-path";
import { env } from "@/lib/env";
import { currentUser } from "@/lib/auth/session";
import { SignInButton } from "../_components/auth-buttons";
import { ClaimRoundTrip } from "../_components/claim-round-trip";
import { SeedQuestions } from "../_components/seed-questions";

export default async function Home({
  searchParams,
}: {
  searchParams: Promise<{ signin?: string; returnTo?: string }>;
}) {
  const [user, { signin, returnTo }] = await Promise.all([currentUser(), searchParams]);
  // Where requireUser found the visitor (lib/http/request-path.ts); the sign-in action checks it again.
  const back = returnTo === undefined ? undefined : safeReturnPath(returnTo);
  return (
    <div className="space-y-12">
      <section className="space-y-4">
        <h1 className="text-3xl font-bold tracking-tight">How does my API know this user is an admin?</h1>
        <p className="max-w-3xl text-lg text-slate-700">
          Not from anything the browser sends. The identity provider puts a namespaced{" "}
          <code className="rounded bg-slate-200 px-1 font-mono text-sm">roles</code> claim into the{" "}
          <strong>access token</strong>, only for this app and only for this API. The app keeps every token on its
          server and forwards the access token to its API, which verifies the signature, issuer, audience and type
          before it reads a single claim.
        </p>
        {user ? (
          <div className="rounded-lg border border-emerald-200 bg-emerald-50 p-4" data-testid="whoami">
            <p>
              Signed in as <strong>{user.name}</strong>
              {user.email && <> ({user.email})</>}.
            </p>
            <p className="mt-1 text-sm text-slate-700">
              See <a href="/dashboard">what the API saw</a>, compare your tokens in the{" "}
              <a href="/tokens">token inspector</a>, or try the <a href="/admin">admin page</a>.
            </p>
          </div>
        ) : (
          <div className="flex flex-wrap items-center gap-4">
            <SignInButton large returnTo={back} />
            <p className="text-sm text-slate-600">
              Demo users: <code className="font-mono">alice@example.com</code> /{" "}
              <code className="font-mono">alice-password</code> (admin) and{" "}
              <code className="font-mono">bob@example.com</code> / <code className="font-mono">bob-password</code>.
            </p>
          </div>
        )}
        {signin === "required" && !user && (
          <p role="status" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
            Sign in to see that page.
          </p>
        )}
      </section>
      <ClaimRoundTrip clientId={env.AUTH_CLIENT_ID} rolesClaim={env.ROLES_CLAIM} />
      <SeedQuestions />
    </div>
  );
}
