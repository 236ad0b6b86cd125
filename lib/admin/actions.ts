"use server";
/**
 * The admin page's mutations, as server actions: make admin, remove admin, sign out everywhere.
 * A server action is a public endpoint anyone signed in can post to, so everything is decided
 * here, next to the change (lib/admin/change.ts): the page that shows the buttons proves nothing.
 * Cross-site posts are refused before this runs (proxy.ts, and Next.js's Origin check).
 */
import "server-only";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { db } from "../db";
import { TokenUnavailableError, type TokenUnavailableCode } from "../tokens/errors";
import { signIn } from "../auth";
import { PROVIDER_ID } from "../auth/provider";
import { getAccessToken, readTokens } from "../tokens/store";
import { REQUEST_ID_HEADER } from "../http/request-id";
import { requestLogger } from "../logger";
import { currentUser } from "../auth/session";
import { type AdminAction, isAdminAction } from "./action-names";
import { changeAsAdmin, type ChangeCode } from "./change";
import { changeDeps } from "./deps";

export type AdminChangeCode = ChangeCode | TokenUnavailableCode | "invalid_request";

/** What the action answers (house style for server actions). */
export type AdminChangeResult =
  | { ok: true; data: { action: AdminAction; rolesAfter: string[] | null; sessionsEnded: number | null } }
  | { ok: false; code: AdminChangeCode };

/** IdP user ids (`alice`, Auth0's `auth0|65f…`): printable ASCII without spaces. */
const SUB = /^[\x21-\x7e]{1,256}$/;

/** Where an admin comes back to after typing their password again (the admin page reads the flag). */
const REAUTHENTICATED_PATH = "/admin?reauthenticated=1";

/** For `useActionState`: the change the form's `change` names, for the user its `userId` names. */
export async function adminChangeAction(
  _previous: AdminChangeResult | null,
  form: FormData,
): Promise<AdminChangeResult> {
  const caller = await currentUser();
  if (!caller) return { ok: false, code: "not_signed_in" };
  const action = form.get("change");
  const target = form.get("userId");
  if (typeof action !== "string" || !isAdminAction(action) || typeof target !== "string" || !SUB.test(target)) {
    return { ok: false, code: "invalid_request" };
  }
  const account = await db.account.findFirst({
    where: { userId: caller.id, provider: PROVIDER_ID },
    select: { providerAccountId: true },
  });
  if (!account) return { ok: false, code: "session_expired" };

  let accessToken: string | null = null;
  let accessTokenUnavailable = false;
  try {
    accessToken = await getAccessToken(caller.sessionId);
  } catch (error) {
    if (!(error instanceof TokenUnavailableError)) throw error;
    // No token, no change: refused at gate 1 below, or recorded as `unavailable` when the IdP
    // could not be reached to refresh it (not the caller's fault, and not a refusal).
    accessTokenUnavailable = error.code === "idp_unavailable";
  }
  const log = (await requestLogger()).child({ userId: caller.id });
  const result = await changeAsAdmin(
    {
      actorSub: account.providerAccountId,
      accessToken,
      accessTokenUnavailable,
      idToken: (await readTokens(caller.sessionId))?.idToken ?? null,
      action: action as AdminAction,
      targetSub: target,
      callerRequestId: (await headers()).get(REQUEST_ID_HEADER),
    },
    changeDeps(log),
  );
  if (!result.ok && result.code === "recent_sign_in") {
    // Type the password again (prompt=login; max_age=0 for IdPs that read that instead), then
    // back here; the next attempt checks the new ID token's auth_time itself.
    await signIn(PROVIDER_ID, { redirectTo: REAUTHENTICATED_PATH }, { prompt: "login", max_age: "0" });
  }
  if (!result.ok) return result;
  revalidatePath("/admin");
  return {
    ok: true,
    data: {
      action: action as AdminAction,
      rolesAfter: result.data.rolesAfter,
      sessionsEnded: result.data.sessionsEnded,
    },
  };
}
