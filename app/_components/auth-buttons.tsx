import { signOutAction } from "@/lib/auth/sign-out";
import { SIGN_IN_PATH } from "@/lib/auth/sign-in-start";

const button =
  "rounded-md px-3 py-1.5 text-sm font-medium shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600";

export function SignInButton({ returnTo, large = false }: { returnTo?: string; large?: boolean }) {
  return (
    // A plain form post answered by a 303 to the IdP (lib/auth/sign-in-start.ts): one hop, no script.
    <form method="post" action={SIGN_IN_PATH}>
      {returnTo && <input type="hidden" name="returnTo" value={returnTo} />}
      <button
        type="submit"
        className={`${button} bg-indigo-600 text-white hover:bg-indigo-500 ${large ? "px-5 py-2.5 text-base" : ""}`}
      >
        Sign in
      </button>
    </form>
  );
}

export function SignOutButton() {
  return (
    <form action={signOutAction}>
      <button type="submit" className={`${button} border border-slate-300 bg-white text-slate-700 hover:bg-slate-50`}>
        Sign out
      </button>
    </form>
  );
}
