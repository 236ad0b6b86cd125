import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { loadDirectory } from "@/lib/admin/directory";
import { requireAdmin } from "@/lib/admin/guard";
import { callApi } from "@/lib/api/client";
import { AdminUsersTable } from "../../_components/admin-users-table";
import { ApiRefusal } from "../../_components/api-refusal";

export const metadata: Metadata = { title: "Admin" };

/**
 * Admin-only, decided as the audit log decides it (lib/admin/guard.ts: this user's access token
 * verified and its roles claim read, the check GET /api/admin makes), never by the ID token or the
 * session. Each change is checked again, and more strictly, by its server action
 * (lib/admin/change.ts).
 */
export default async function AdminPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireAdmin();
  const result = await callApi(user, "/api/admin");
  if (!result.ok && result.status === 403) forbidden();
  if (!result.ok) return <ApiRefusal status={result.status} error={result.error} />;
  const { users } = result.data;
  const query = await searchParams;
  const page = Math.max(0, Math.min(10_000, Number.parseInt(String(query.page ?? "0"), 10) || 0));
  const directory = await loadDirectory(page, users);
  const selfSub = users.find((u) => u.id === user.id)?.sub ?? null;
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">Admin</h1>
        <p className="text-slate-700">
          <code className="font-mono">GET /api/admin</code> accepted your access token because its roles claim contains{" "}
          <code className="font-mono">admin</code>. Users and roles come from the identity provider&apos;s Management
          API. A change goes through only if your access token says admin, the identity provider says so <em>now</em>,
          and you signed in recently; every attempt lands in the <a href="/admin/audit">audit log</a>.
        </p>
      </header>
      {query.reauthenticated && (
        <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900">
          You signed in again. You can make the change now.
        </p>
      )}
      {!directory.ok && (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
          {directory.code === "not_configured"
            ? "Role management is not configured (MANAGEMENT_CLIENT_SECRET): showing the users this app has seen."
            : "The identity provider's Management API is not answering: showing the users this app has seen."}
        </p>
      )}
      <AdminUsersTable rows={directory.rows} selfSub={selfSub} selfUserId={user.id} />
      {directory.ok && directory.pages > 1 && (
        <nav className="flex gap-4 text-sm" aria-label="Pages">
          {page > 0 && <a href={`/admin?page=${page - 1}`}>Previous</a>}
          <span>
            Page {page + 1} of {directory.pages}
          </span>
          {page + 1 < directory.pages && <a href={`/admin?page=${page + 1}`}>Next</a>}
        </nav>
      )}
    </div>
  );
}
