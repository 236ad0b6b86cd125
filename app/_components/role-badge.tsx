export function RoleBadge({ admin }: { admin: boolean }) {
  return admin ? (
    <span
      className="rounded-full bg-indigo-100 px-2.5 py-0.5 text-sm font-medium text-indigo-800"
      data-testid="role-badge"
    >
      admin
    </span>
  ) : (
    <span
      className="rounded-full bg-slate-200 px-2.5 py-0.5 text-sm font-medium text-slate-700"
      data-testid="role-badge"
    >
      not an admin
    </span>
  );
}
