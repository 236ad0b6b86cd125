/**
 * The one "is admin" decision of both admin pages (/admin and /admin/audit): the signed-in user's
 * access token verified and its roles claim read, as GET /api/admin does for any caller.
 */
import "server-only";
import { forbidden, redirect } from "next/navigation";
import { verifyAdminToken } from "../api/guard";
import { TokenUnavailableError } from "../tokens/errors";
import { getAccessToken } from "../tokens/store";
import { requireUser, type SignedInUser } from "../auth/session";

/** The signed-in admin; a 403 page for anyone else, the sign-in error page when no token can be had. */
export async function requireAdmin(): Promise<SignedInUser> {
  const user = await requireUser();
  let token: string;
  try {
    token = await getAccessToken(user.sessionId);
  } catch (error) {
    if (error instanceof TokenUnavailableError) redirect(`/auth/error?error=${error.code}`);
    throw error;
  }
  const verdict = await verifyAdminToken(token);
  if (!verdict.ok) {
    if (verdict.error.status >= 500) redirect("/auth/error?error=idp_unavailable");
    forbidden();
  }
  return user;
}
