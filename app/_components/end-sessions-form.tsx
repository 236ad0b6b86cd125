"use client";
import { useActionState } from "react";
import { endSessionsAction, type EndSessionsCode } from "@/lib/admin/end-sessions";

const messages: Record<EndSessionsCode, string> = {
  forbidden: "Refused: your access token does not say you are an admin.",
  not_signed_in: "Please sign in again.",
  session_expired: "Your sign-in has expired. Please sign in again.",
  idp_unavailable: "The identity provider is not answering; try again in a moment.",
  invalid_request: "That user id is not valid.",
  not_found: "That user no longer exists.",
};

/** Says exactly what ended: app sessions with their tokens; the IdP sessions stay. */
function ended(count: number, who: string, self: boolean): string {
  const sessions = `${count} ${self ? "other " : ""}app session${count === 1 ? "" : "s"}`;
  return self
    ? `Ended ${sessions} of yours; this one stays. Their refresh tokens are revoked at the identity provider.`
    : `Ended ${sessions} of ${who}; their refresh tokens are revoked at the identity provider. Their sign-in at the identity provider stays ("Sign out everywhere" ends it too).`;
}

/** "End sessions" for one user on the admin page; the server action decides whether it may. */
export function EndSessionsForm({ userId, who, self }: { userId: string; who: string; self: boolean }) {
  const [result, action, pending] = useActionState(endSessionsAction, null);
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="userId" value={userId} />
      <button
        type="submit"
        // Not `disabled`: a disabled button drops the keyboard focus, and the user would start over.
        aria-disabled={pending}
        onClick={(event) => pending && event.preventDefault()}
        aria-label={self ? undefined : `End sessions of ${who}`}
        className="rounded-md border border-red-300 bg-white px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-50 aria-disabled:opacity-50"
      >
        {self ? "End my other sessions" : "End sessions"}
      </button>
      <span role="status">
        {result && (
          <span data-testid="end-sessions-result" className={result.ok ? "text-emerald-700" : "text-red-700"}>
            {result.ok ? ended(result.data.ended, who, self) : messages[result.code]}
          </span>
        )}
      </span>
    </form>
  );
}
