/**
 * What the admin page lists: the users of the IdP, read through the Management API (not only
 * those this app has seen), each with their roles, joined with this app's own sessions.
 */
import "server-only";
import type { AdminResponse } from "../api/types";
import { management, ManagementError } from "../management";
import type { ChangeCode } from "./change";

/** Users per page; each costs one roles call to the Management API. */
export const USERS_PER_PAGE = 25;

export interface DirectoryRow {
  /** The IdP's user id; null for an app user the IdP no longer has. */
  sub: string | null;
  email: string | null;
  name: string | null;
  /** Role names; null when the Management API could not be asked. */
  roles: string[] | null;
  /** This app's user id, when the user has signed in here. */
  appUserId: string | null;
  sessions: number;
  latestSessionEnds: string | null;
}

export type Directory =
  | { ok: true; rows: DirectoryRow[]; total: number; page: number; pages: number }
  | { ok: false; code: Extract<ChangeCode, "unavailable" | "not_configured">; rows: DirectoryRow[] };

type AppUser = AdminResponse["users"][number];

function appPart(user: AppUser | undefined): Pick<DirectoryRow, "appUserId" | "sessions" | "latestSessionEnds"> {
  return {
    appUserId: user?.id ?? null,
    sessions: user?.sessions.length ?? 0,
    latestSessionEnds:
      user?.sessions
        .map((s) => s.expires)
        .sort()
        .at(-1) ?? null,
  };
}

/** One page of IdP users with their roles; on failure, the app's own users without roles. */
export async function loadDirectory(page: number, appUsers: AppUser[]): Promise<Directory> {
  const bySub = new Map(appUsers.filter((u) => u.sub).map((u) => [u.sub, u]));
  try {
    const { users, total } = await management.listUsers({ page, perPage: USERS_PER_PAGE });
    const roles = await Promise.all(users.map((u) => management.userRoles(u.user_id)));
    const rows = users.map((u, i) => ({
      sub: u.user_id,
      email: u.email,
      name: u.name ?? null,
      roles: (roles[i] ?? []).map((r) => r.name).sort(),
      ...appPart(bySub.get(u.user_id)),
    }));
    return { ok: true, rows, total, page, pages: Math.max(1, Math.ceil(total / USERS_PER_PAGE)) };
  } catch (error) {
    if (!(error instanceof ManagementError)) throw error;
    const rows = appUsers.map((u) => ({ sub: u.sub, email: u.email, name: u.name, roles: null, ...appPart(u) }));
    return { ok: false, code: error.code === "not_configured" ? "not_configured" : "unavailable", rows };
  }
}
