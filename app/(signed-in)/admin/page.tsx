import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { callApi } from "@/lib/api-client";
import { requireUser } from "@/lib/session";
import { ApiRefusal } from "../../_components/api-refusal";
import { EndSessionsForm } from "../../_components/end-sessions-form";

export const metadata: Metadata = { title: "Admin" };

/**
 * Admin-only. The gate is the API's own answer to this user's access token (the same check
 * /api/admin makes for any caller), never the ID token or the session.
 */
export default async function AdminPage() {
  const user = await requireUser();
  const result = await callApi(user, "/api/admin");
  if (!result.ok && result.status === 403) forbidden();
  if (!result.ok) return <ApiRefusal status={result.status} error={result.error} />;
  const { users } = result.data;
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">Admin</h1>
        <p className="text-slate-700">
          <code className="font-mono">GET /api/admin</code> accepted your access token because its roles claim contains{" "}
          <code className="font-mono">admin</code>. These are the users this app has seen, and when their sessions end.
          Ending a user&apos;s sessions signs them out of this app everywhere; the action checks your access token again.
        </p>
      </header>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-left text-sm" data-testid="admin-users">
          <caption className="sr-only">Users seen by the app</caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-slate-600">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">Name</th>
              <th scope="col" className="px-4 py-2 font-medium">Email</th>
              <th scope="col" className="px-4 py-2 font-medium">Active sessions</th>
              <th scope="col" className="px-4 py-2 font-medium">Latest session ends</th>
              <th scope="col" className="px-4 py-2 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => {
              const ends = u.sessions.map((s) => s.expires).sort().at(-1);
              return (
                <tr key={u.id} className="border-b border-slate-100 last:border-0" data-user-id={u.id}>
                  <td className="px-4 py-2">{u.name ?? "—"}</td>
                  <td className="px-4 py-2 font-mono">{u.email ?? "—"}</td>
                  <td className="px-4 py-2">{u.sessions.length}</td>
                  <td className="px-4 py-2">{ends ? <time dateTime={ends}>{new Date(ends).toUTCString()}</time> : "—"}</td>
                  <td className="px-4 py-2">
                    <EndSessionsForm userId={u.id} who={u.email ?? u.name ?? u.id} self={u.id === user.id} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
