"use server";
/**
 * An admin ends every app session of a user, each with its tokens (its refresh token revoked at the
 * IdP); acting on themselves, the session they act from stays. The user's IdP sessions stay:
 * "Sign out everywhere" (./change.ts) ends those too.
 *
 * A server action is a public endpoint, so the check sits here, next to the mutation: the caller's
 * access token, refreshed for the purpose (a role removed a minute ago counts), verified as
 * GET /api/admin verifies it. Cross-site posts are refused before this runs (proxy.ts).
 */
import "server-only";
import { revalidatePath } from "next/cache";
import { verifyAdminToken } from "../api/guard";
import { db } from "../db";
import { requestLogger } from "../logger";
import { currentUser } from "../auth/session";
import { TokenUnavailableError, type TokenUnavailableCode } from "../tokens/errors";
import { endUserSessions, getAccessToken } from "../tokens/store";

export type EndSessionsCode = TokenUnavailableCode | "forbidden" | "invalid_request" | "not_found";

/** What the action answers (house style for server actions). */
export type EndSessionsResult = { ok: true; data: { ended: number } } | { ok: false; code: EndSessionsCode };

/** User ids are cuids; anything else is refused before it reaches a query. */
const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** For `useActionState`: ends the sessions of the user named by the form's `userId`. */
export async function endSessionsAction(
  _previous: EndSessionsResult | null,
  form: FormData,
): Promise<EndSessionsResult> {
  const caller = await currentUser();
  if (!caller) return { ok: false, code: "not_signed_in" };
  const log = (await requestLogger()).child({ userId: caller.id, action: "end_sessions" });

  let token: string;
  try {
    // A fresh token, not the stored one: an admin role removed at the IdP a minute ago, or a
    // revoked grant, must stop this action now, not when the stored token expires.
    token = await getAccessToken(caller.sessionId, { current: true });
  } catch (error) {
    if (error instanceof TokenUnavailableError) return { ok: false, code: error.code };
    throw error;
  }
  const verdict = await verifyAdminToken(token);
  if (!verdict.ok) {
    log.warn({ event: "admin_action_refused", code: verdict.error.code, reason: verdict.error.reason }, "not an admin");
    return { ok: false, code: verdict.error.status === 503 ? "idp_unavailable" : "forbidden" };
  }

  const target = form.get("userId");
  if (typeof target !== "string" || !USER_ID.test(target)) return { ok: false, code: "invalid_request" };
  if (!(await db.user.findUnique({ where: { id: target }, select: { id: true } })))
    return { ok: false, code: "not_found" };

  const count = await endUserSessions(target, target === caller.id ? caller.sessionId : undefined);
  log.info({ event: "sessions_ended", targetUserId: target, ended: count }, "admin ended a user's sessions");
  revalidatePath("/admin");
  return { ok: true, data: { ended: count } };
}
