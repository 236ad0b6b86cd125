import { ADMIN_ROLE } from "@/lib/shared/claims";
import type { DirectoryRow } from "@/lib/admin/directory";
import { AdminChangeForm } from "./admin-change-form";
import { EndSessionsForm } from "./end-sessions-form";

/** The users on the admin page: roles from the IdP, sessions from this app, and what an admin may do. */
export function AdminUsersTable({
  rows,
  selfSub,
  selfUserId,
}: {
  rows: DirectoryRow[];
  selfSub: string | null;
  selfUserId: string;
}) {
  return (
    // relative: holds the visually hidden "Actions" header inside the scrolling box, or it widens the page.
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="w-full text-left text-sm" data-testid="admin-users">
        <caption className="sr-only">Users</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-slate-600">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">
              Name
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Email
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Roles
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Sessions here
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const who = row.email ?? row.name ?? row.sub ?? "this user";
            const self = row.sub !== null && row.sub === selfSub;
            return (
              <tr
                key={row.sub ?? row.appUserId}
                className="border-b border-slate-100 align-top last:border-0"
                data-user-id={row.appUserId ?? undefined}
                data-sub={row.sub ?? undefined}
              >
                <td className="px-4 py-2">{row.name ?? "—"}</td>
                <td className="px-4 py-2 font-mono">{row.email ?? "—"}</td>
                <td className="px-4 py-2" data-testid="user-roles">
                  {row.roles === null ? "unknown" : row.roles.length ? row.roles.join(", ") : "none"}
                </td>
                <td className="px-4 py-2">
                  {row.sessions}
                  {row.latestSessionEnds && (
                    <span className="block text-xs text-slate-500">
                      until{" "}
                      <time dateTime={row.latestSessionEnds}>{new Date(row.latestSessionEnds).toUTCString()}</time>
                    </span>
                  )}
                </td>
                <td className="space-y-2 px-4 py-2">
                  {row.sub && row.roles && (
                    <AdminChangeForm
                      userId={row.sub}
                      who={who}
                      change={row.roles.includes(ADMIN_ROLE) ? "remove_admin" : "assign_admin"}
                      disabledReason={
                        self && row.roles.includes(ADMIN_ROLE)
                          ? "You cannot remove your own admin role; another admin can."
                          : undefined
                      }
                    />
                  )}
                  {row.sub && row.roles && <AdminChangeForm userId={row.sub} who={who} change="revoke_access" />}
                  {row.appUserId && (
                    <EndSessionsForm userId={row.appUserId} who={who} self={row.appUserId === selfUserId} />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
