/**
 * The admin changes, named once: the server action accepts only these, the audit log stores them,
 * and the admin page and the audit log show them under the same labels. No `server-only`: the
 * change form (a client component) reads the labels too.
 */
export const ADMIN_ACTIONS = ["assign_admin", "remove_admin", "revoke_access"] as const;

export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/** The button on /admin and the entry on /admin/audit. */
export const ADMIN_ACTION_LABELS: Readonly<Record<AdminAction, string>> = {
  assign_admin: "Make admin",
  remove_admin: "Remove admin",
  revoke_access: "Sign out everywhere",
};

/** Whether a posted (or stored) value names one of the admin changes. */
export function isAdminAction(value: unknown): value is AdminAction {
  return typeof value === "string" && (ADMIN_ACTIONS as readonly string[]).includes(value);
}
