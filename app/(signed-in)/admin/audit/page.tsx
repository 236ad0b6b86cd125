import type { Metadata } from "next";
import { ADMIN_ACTION_LABELS } from "@/lib/admin/action-names";
import { AUDIT_PAGE_SIZE, auditPage, emailsBySub } from "@/lib/admin/audit";
import { requireAdmin } from "@/lib/admin/guard";

export const metadata: Metadata = { title: "Audit log" };

const roles = (list: string[] | null) => (list === null ? "—" : list.length ? list.join(", ") : "none");

const one = (value: string | string[] | undefined) => (typeof value === "string" ? value : undefined);

/**
 * Every admin change and attempt, newest first, a page at a time (plain links, no script).
 * Admins only, checked here where the log is read.
 */
export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireAdmin();
  const query = await searchParams;
  const { entries, newer, older } = await auditPage({ before: one(query.before), after: one(query.after) });
  const paged = one(query.before) !== undefined || one(query.after) !== undefined;
  const emails = await emailsBySub(entries.flatMap((e) => [e.actorSub, e.targetSub]));
  const who = (sub: string) => emails.get(sub) ?? sub;
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">Audit log</h1>
        <p className="text-slate-700">
          Every change an admin made or tried to make from <a href="/admin">Admin</a>, newest first, {AUDIT_PAGE_SIZE} a
          page, with the gate that refused it. The app only ever adds to this log. The request id is the one this app
          gave the change; the caller's <code>x-request-id</code> is shown apart, as sent, and proves nothing.
        </p>
      </header>
      <section
        className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm"
        aria-label="Audit entries"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: on a narrow screen the table scrolls sideways, and a keyboard scrolls only what has focus (axe: scrollable-region-focusable)
        tabIndex={0}
      >
        <table className="w-full text-left text-sm" data-testid="audit-log">
          <caption className="sr-only">Audit log</caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-slate-600">
            <tr>
              {[
                "When",
                "Who",
                "Action",
                "For whom",
                "Roles before",
                "Roles after",
                "Outcome",
                "Request id",
                "Caller's x-request-id (unverified)",
              ].map((h) => (
                <th key={h} scope="col" className="px-3 py-2 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} className="border-b border-slate-100 last:border-0" data-testid="audit-entry">
                <td className="px-3 py-2">
                  <time dateTime={e.createdAt.toISOString()}>{e.createdAt.toUTCString()}</time>
                </td>
                <td className="px-3 py-2 font-mono" data-testid="audit-actor">
                  {who(e.actorSub)}
                </td>
                <td className="px-3 py-2" data-testid="audit-action">
                  {ADMIN_ACTION_LABELS[e.action] ?? e.action}
                </td>
                <td className="px-3 py-2 font-mono" data-testid="audit-target">
                  {who(e.targetSub)}
                </td>
                <td className="px-3 py-2">{roles(e.rolesBefore)}</td>
                <td className="px-3 py-2">{roles(e.rolesAfter)}</td>
                <td className="px-3 py-2" data-testid="audit-outcome">
                  {e.outcome}
                  {e.reason ? ` (${e.reason})` : ""}
                </td>
                <td className="px-3 py-2 font-mono text-xs" data-testid="audit-request-id">
                  {e.requestId ?? "—"}
                </td>
                <td className="px-3 py-2 font-mono text-xs text-slate-500" data-testid="audit-caller-request-id">
                  {e.callerRequestId ?? "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {entries.length === 0 && <p className="p-4 text-sm text-slate-500">Nothing {paged ? "here" : "yet"}.</p>}
      </section>
      <nav aria-label="Audit log pages" className="flex gap-4 text-sm">
        {paged && <a href="/admin/audit">Newest</a>}
        {newer && (
          <a href={`/admin/audit?after=${encodeURIComponent(newer)}`} rel="prev" data-testid="audit-newer">
            Newer
          </a>
        )}
        {older && (
          <a href={`/admin/audit?before=${encodeURIComponent(older)}`} rel="next" data-testid="audit-older">
            Older
          </a>
        )}
      </nav>
    </div>
  );
}
