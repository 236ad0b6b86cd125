import type { Metadata } from "next";
import { callApi } from "@/lib/api/client";
import { env } from "@/lib/env";
import { requireUser } from "@/lib/auth/session";
import { loadContrast } from "@/lib/inspector/contrast";
import { inspectTokens } from "@/lib/inspector/inspect";
import { ClaimsTable } from "../../_components/claims-table";
import { IdpChangeReach } from "../../_components/idp-change-reach";
import { TokenContrast } from "../../_components/token-contrast";

export const metadata: Metadata = { title: "Token inspector" };

export default async function TokensPage() {
  const user = await requireUser();
  // Called first: it refreshes the tokens when they are about to expire, so the columns agree.
  const api = await callApi(user, "/api/me");
  const [tokens, contrast] = await Promise.all([inspectTokens(user.sessionId), loadContrast(user.sessionId)]);
  // Time claims count from the server's clock at first, so the browser hydrates the same text.
  const renderedAt = Date.now();
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">Token inspector</h1>
        <p className="max-w-3xl text-slate-700">
          Your tokens never leave this server; these are their decoded claims. Look for{" "}
          <code className="font-mono">{env.ROLES_CLAIM}</code>: the IdP put it in the access token for this API, not in
          the ID token, and the API read it only after verifying the token.
        </p>
      </header>
      <div className="grid gap-4 lg:grid-cols-3" data-testid="token-columns">
        <ClaimsTable
          testId="id-token-claims"
          title="ID token"
          description="For this app: who signed in. Never sent to an API."
          claims={tokens?.idToken ?? null}
          renderedAt={renderedAt}
        />
        <ClaimsTable
          testId="access-token-claims"
          title="Access token"
          description="For the API (its aud). What the app forwards as the bearer token."
          claims={tokens?.accessToken ?? null}
          note={typeof tokens?.nextRefreshAt === "number" && <IdpChangeReach refreshAt={tokens.nextRefreshAt} />}
          renderedAt={renderedAt}
        />
        <ClaimsTable
          testId="api-claims"
          title="What the API saw"
          description={`GET /api/me answered ${api.ok ? 200 : api.status}: the claims it verified.`}
          claims={api.ok ? api.data.claims : null}
          renderedAt={renderedAt}
        />
      </div>
      {tokens && (
        <p className="text-sm text-slate-600">
          Refresh token: {tokens.hasRefreshToken ? "held on the server (rotated on every use)" : "none"}.
        </p>
      )}
      <TokenContrast contrast={contrast} rolesClaim={env.ROLES_CLAIM} renderedAt={renderedAt} />
    </div>
  );
}
