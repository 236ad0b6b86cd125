import type { Metadata } from "next";

export const metadata: Metadata = { title: "Admins only" };

/** Rendered by forbidden(), with HTTP status 403. */
export default function Forbidden() {
  return (
    <div className="mx-auto max-w-xl space-y-4" data-testid="forbidden">
      <p className="text-sm font-semibold text-red-700">403</p>
      <h1 className="text-2xl font-semibold">Admins only</h1>
      <p className="text-slate-700">
        The API checked your access token and it does not say you are an admin, so this page stays closed. Nothing your
        browser sends can change that: the role comes from the identity provider, inside a signed token that only the
        server holds.
      </p>
      <p>
        <a href="/dashboard">Back to your dashboard</a>
      </p>
    </div>
  );
}
