/**
 * Read-only looks into the run's database (e2e/.output/e2e.db), for what no page shows on
 * purpose: the tokens the app keeps for a session, and what the IdP recorded about refreshes.
 * Specs use these as the ground truth to search the browser for, never to drive the app.
 */
import Database from "better-sqlite3";
import { DB_FILE } from "../settings";

function query<T>(read: (db: Database.Database) => T): T {
  // A fresh read-only handle per look: it sees every write committed so far, and never writes.
  const db = new Database(DB_FILE, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export interface StoredTokens {
  accessToken: string | null;
  refreshToken: string | null;
  idToken: string | null;
  /** Seconds since the epoch. */
  expiresAt: number | null;
}

/**
 * The tokens of one app session: the one whose cookie is `who.sessionCookie`, or, given an email,
 * that user's newest session (the one the spec's latest sign-in created).
 */
export function storedTokens(who: string | { sessionCookie: string }): StoredTokens {
  const bySession = typeof who !== "string";
  const row = query((db) =>
    db
      .prepare(
        `SELECT t.accessToken, t.refreshToken, t.idToken, t.accessTokenExpiresAt AS expiresAt
           FROM SessionTokens t JOIN Session s ON s.id = t.sessionId JOIN User u ON u.id = s.userId
          WHERE ${bySession ? "s.sessionToken = ?" : "u.email = ?"}
          ORDER BY s.createdAt DESC LIMIT 1`,
      )
      .get(bySession ? who.sessionCookie : who),
  ) as StoredTokens | undefined;
  if (!row) throw new Error(`no session tokens for ${bySession ? "that session cookie" : who} in ${DB_FILE}`);
  return row;
}

export interface HeldToken {
  name: "access token" | "refresh token" | "ID token";
  value: string;
}

/** Every token the app holds for a user's newest session: the needles to search the browser's view for. */
export function heldTokens(email: string): HeldToken[] {
  const { accessToken, refreshToken, idToken } = storedTokens(email);
  const held: [HeldToken["name"], string | null][] = [
    ["access token", accessToken],
    ["refresh token", refreshToken],
    ["ID token", idToken],
  ];
  return held
    .filter((entry): entry is [HeldToken["name"], string] => Boolean(entry[1]))
    .map(([name, value]) => ({ name, value }));
}

export interface RefreshHistory {
  grantId: string;
  /** Refresh tokens the IdP issued for the grant (the first one plus one per rotation). */
  issued: number;
  /** Refresh tokens the IdP accepted, and so consumed: one per refresh. */
  consumed: number;
}

/**
 * What the IdP's own storage (oidc-provider's models in idp_oidc_models) says about the grant a
 * refresh token belongs to. An opaque refresh token's value is its row id.
 */
export function refreshHistory(refreshToken: string): RefreshHistory {
  return query((db) => {
    const token = db
      .prepare(`SELECT grantId FROM idp_oidc_models WHERE kind = 'RefreshToken' AND id = ?`)
      .get(refreshToken) as { grantId: string | null } | undefined;
    if (!token?.grantId) throw new Error("the IdP has no record of the refresh token the app holds");
    const counts = db
      .prepare(
        `SELECT COUNT(*) AS issued, COUNT(consumedAt) AS consumed
           FROM idp_oidc_models WHERE kind = 'RefreshToken' AND grantId = ?`,
      )
      .get(token.grantId) as { issued: number; consumed: number };
    return { grantId: token.grantId, ...counts };
  });
}

/** The names of the roles the IdP's directory assigns a user (idp_user_roles). */
export function idpRoles(email: string): string[] {
  return query((db) =>
    (
      db
        .prepare(
          `SELECT r.name AS name FROM idp_user_roles ur
             JOIN idp_roles r ON r.id = ur.roleId JOIN idp_users u ON u.id = ur.userId
            WHERE u.email = ? ORDER BY r.name`,
        )
        .all(email) as { name: string }[]
    ).map((row) => row.name),
  );
}
