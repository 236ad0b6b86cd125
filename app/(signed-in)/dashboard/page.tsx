import type { Metadata } from "next";
import { callApi } from "@/lib/api-client";
import { ADMIN_ROLE } from "@/lib/shared/claims";
import { env } from "@/lib/env";
import { logTimingsAfterResponse } from "@/lib/http/server-timing";
import { requestLogger } from "@/lib/logger";
import { requireUser } from "@/lib/session";
import { ApiRefusal } from "../../_components/api-refusal";
import { RoleBadge } from "../../_components/role-badge";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser();
  const result = await callApi(user, "/api/me");
  logTimingsAfterResponse(await requestLogger(), "/dashboard");
  if (!result.ok) return <ApiRefusal status={result.status} error={result.error} />;
  const body = result.data;
  const admin = body.roles.includes(ADMIN_ROLE);
  // Auth0's access tokens name the client in `azp` (OIDC's authorized party), not RFC 9068's `client_id`.
  const azp = typeof body.claims.azp === "string" ? body.claims.azp : undefined;
  const client =
    body.client_id === null && azp
      ? { label: "Client (azp)", value: azp }
      : { label: "Client (client_id)", value: body.client_id ?? "—" };
  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">What the API saw</h1>
        <p className="text-slate-700">
          This page&apos;s server called <code className="font-mono">GET /api/me</code> with your access token. The API
          verified the token and answered with what it read from it.
        </p>
      </header>
      <dl
        className="grid gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:grid-cols-2"
        data-testid="api-view"
      >
        <Field label="Subject (sub)" value={body.sub} />
        <Field label={client.label} value={client.value} />
        <Field label="Scope" value={body.scope ?? "—"} />
        <div>
          <dt className="text-sm text-slate-500">
            Roles (<code className="font-mono">{env.ROLES_CLAIM}</code>)
          </dt>
          <dd className="mt-1 flex flex-wrap items-center gap-2" data-testid="api-roles">
            <span className="font-mono">{JSON.stringify(body.roles)}</span>
            <RoleBadge admin={admin} />
          </dd>
        </div>
      </dl>
      <p className="text-slate-700">
        {admin ? (
          <>
            The API treats you as an admin: <a href="/admin">open the admin page</a>.
          </>
        ) : (
          <>
            The API does not treat you as an admin, so the admin page and <code className="font-mono">/api/admin</code>{" "}
            will refuse you.
          </>
        )}
      </p>
    </div>
  );
}

function Field({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="mt-1 break-all font-mono text-sm">{value}</dd>
    </div>
  );
}
