/**
 * The IdP's user directory (what Auth0 calls users, with `app_metadata`) and the account
 * lookup oidc-provider calls whenever it needs a subject's claims.
 */
import type { Account, AccountClaims, FindAccount } from "oidc-provider";
import type { Database } from "./db.ts";
import { dummyHash, verifyPassword } from "./passwords.ts";

/**
 * Operator-managed data about a user. `roles` here is the old place for roles, kept readable
 * for data not yet migrated; `npm run setup` moves it to role assignments (roles.ts).
 */
export interface AppMetadata {
  roles?: string[];
  [key: string]: unknown;
}

/** A user as actions and the login page see it: never the password hash. */
export interface DirectoryUser {
  /** The `sub` claim. */
  id: string;
  email: string;
  name: string;
  appMetadata: AppMetadata;
  /** Names of the roles the user holds (role assignments): `event.authorization.roles`. */
  roles: string[];
}

/** oidc-provider's account plus the user it was loaded from, for post-login actions. */
export interface ClaimtripAccount extends Account {
  user: DirectoryUser;
}

/** Emails are compared case-insensitively, as mail systems do. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Parses the stored JSON; anything unexpected becomes empty metadata rather than a crash. */
export function parseAppMetadata(json: string): AppMetadata {
  try {
    const value: unknown = JSON.parse(json);
    if (!value || typeof value !== "object" || Array.isArray(value)) return {};
    const metadata = value as AppMetadata;
    const roles = Array.isArray(metadata.roles) ? metadata.roles.filter((r): r is string => typeof r === "string") : [];
    return { ...metadata, roles };
  } catch {
    return {};
  }
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  appMetadata: string;
  roles: { role: { name: string } }[];
}

function toDirectoryUser(row: UserRow): DirectoryUser {
  const roles = row.roles.map((r) => r.role.name).sort();
  return { id: row.id, email: row.email, name: row.name, appMetadata: parseAppMetadata(row.appMetadata), roles };
}

const WITH_ROLES = { roles: { select: { role: { select: { name: true } } } } } as const;

export interface UserDirectory {
  findById(id: string): Promise<DirectoryUser | undefined>;
  /**
   * The user whose email and password match, or `undefined`. Unknown emails are checked
   * against a dummy hash so both failures take the same time.
   */
  authenticate(email: string, password: string): Promise<DirectoryUser | undefined>;
}

export function createUserDirectory(db: Database): UserDirectory {
  return {
    async findById(id) {
      const row = await db.idpUser.findUnique({ where: { id }, include: WITH_ROLES });
      return row ? toDirectoryUser(row) : undefined;
    },
    async authenticate(email, password) {
      const row = await db.idpUser.findUnique({ where: { email: normalizeEmail(email) }, include: WITH_ROLES });
      const ok = await verifyPassword(password, row?.passwordHash ?? (await dummyHash()));
      return row && ok ? toDirectoryUser(row) : undefined;
    },
  };
}

/** Claims each standard scope releases; oidc-provider masks by scope too, this keeps it explicit. */
function claimsFor(user: DirectoryUser, scope: string): AccountClaims {
  const scopes = new Set(scope.split(" "));
  return {
    sub: user.id,
    // Accounts are provisioned by the operator (seed or admin tooling), so their email counts as verified.
    ...(scopes.has("email") ? { email: user.email, email_verified: true } : {}),
    ...(scopes.has("profile") ? { name: user.name } : {}),
  };
}

/**
 * oidc-provider's `findAccount`: reads the user fresh from the database every time, so a role
 * change shows up in the next token that is minted (login or refresh).
 */
export function createFindAccount(directory: UserDirectory): FindAccount {
  return async (_ctx, sub): Promise<ClaimtripAccount | undefined> => {
    const user = await directory.findById(sub);
    if (!user) return undefined;
    return { accountId: user.id, user, claims: (_use, scope) => claimsFor(user, scope) };
  };
}
