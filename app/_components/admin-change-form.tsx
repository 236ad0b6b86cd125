"use client";
import { useActionState } from "react";
import { ADMIN_ACTION_LABELS, type AdminAction } from "@/lib/admin/action-names";
import { adminChangeAction, type AdminChangeCode } from "@/lib/admin/actions";

const refusals: Record<AdminChangeCode, string> = {
  access_token: "Refused: your access token does not say you are an admin.",
  fresh_check: "Refused: the identity provider says you are not an admin any more.",
  recent_sign_in: "Please sign in again to confirm it is you.",
  self_lockout: "Refused: you cannot remove your own admin role. Another admin can.",
  last_admin: "Refused: this is the last admin. Make someone else an admin first.",
  rate_limited: "Too many changes in a short time; wait a minute and try again.",
  not_found: "That user no longer exists at the identity provider.",
  unavailable: "The identity provider is not answering; try again in a moment.",
  not_configured: "Role management is not configured (MANAGEMENT_CLIENT_SECRET).",
  not_signed_in: "Please sign in again.",
  session_expired: "Your sign-in has expired. Please sign in again.",
  idp_unavailable: "The identity provider is not answering; try again in a moment.",
  invalid_request: "That request is not valid.",
};

const done: Record<AdminAction, (who: string, sessionsEnded: number | null) => string> = {
  assign_admin: (who) => `${who} is now an admin.`,
  remove_admin: (who) => `${who} is no longer an admin.`,
  // Precisely what ended: the IdP's sessions and grants, and every app session here with its tokens.
  revoke_access: (who, n) =>
    `${who} is signed out everywhere: their sessions and grants at the identity provider, and ${n ?? 0} app session${n === 1 ? "" : "s"} here.`,
};

/**
 * One admin change for one user; the server action decides whether it may happen. The button's
 * name is its label (the row it sits in names the user).
 */
export function AdminChangeForm({
  userId,
  who,
  change,
  disabledReason,
}: {
  userId: string;
  who: string;
  change: AdminAction;
  disabledReason?: string;
}) {
  const [result, action, pending] = useActionState(adminChangeAction, null);
  const danger = change !== "assign_admin";
  if (disabledReason) {
    // Nothing to post: the button only says what cannot be done, and why (the server refuses it too).
    return (
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="button"
          disabled
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-500 opacity-50"
        >
          {ADMIN_ACTION_LABELS[change]}
        </button>
        <span className="text-xs text-slate-500">{disabledReason}</span>
      </div>
    );
  }
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="change" value={change} />
      <button
        type="submit"
        // Not `disabled`: a disabled button drops the keyboard focus, and the user would start over.
        aria-disabled={pending}
        onClick={(event) => pending && event.preventDefault()}
        className={`rounded-md border bg-white px-2 py-1 text-xs font-medium aria-disabled:opacity-50 ${
          danger
            ? "border-red-300 text-red-700 hover:bg-red-50"
            : "border-indigo-300 text-indigo-700 hover:bg-indigo-50"
        }`}
      >
        {ADMIN_ACTION_LABELS[change]}
      </button>
      {/* The live region is there before the answer, so a screen reader announces the answer. */}
      <span role="status">
        {result && (
          <span data-testid="admin-change-result" className={result.ok ? "text-emerald-700" : "text-red-700"}>
            {result.ok ? done[result.data.action](who, result.data.sessionsEnded) : refusals[result.code]}
          </span>
        )}
      </span>
    </form>
  );
}
