/**
 * The Management API, shaped like Auth0's (`/api/v2/...`: same paths, methods, bodies, scopes,
 * list conventions and error bodies), so the app's management client and Auth0's own Node SDK
 * (`auth0`, idp/management/auth0-sdk.test.ts) work against it by settings alone.
 *
 *   GET    /api/v2/roles                       read:roles     lists.ts: page, per_page, include_totals; name_filter
 *   GET    /api/v2/roles/{id}/users            read:users and read:roles     page… or from, take
 *   GET    /api/v2/users                       read:users     page, per_page, include_totals; q
 *   GET    /api/v2/users/{id}                  read:users     fields, include_fields
 *   GET    /api/v2/users/{id}/roles            read:roles     page, per_page, include_totals
 *   POST   /api/v2/users/{id}/roles            update:users or create:role_members   { roles: ["rol_…"] } → 204
 *   DELETE /api/v2/users/{id}/roles            update:users or delete:role_members   { roles: ["rol_…"] } → 204
 *   POST   /api/v2/users/{id}/revoke-access    delete:sessions and delete:refresh_tokens → 202
 *                                              (no body or {}: every session and refresh token; Auth0's
 *                                              session_id / preserve_refresh_tokens are refused with 400)
 *
 * Anything else under /api/v2/ answers 501 (after the token check): Auth0 has it, this IdP does
 * not. Token problems are RFC 6750 answers (auth.ts, with lib/resource-server/); everything else answers like Auth0
 * (errors.ts), never a stack trace or an echo of the request. Every change is logged: which
 * client, what, for whom.
 */
import type Koa from "koa";
import type { Provider } from "oidc-provider";
import { z } from "zod";
import { BodyTooLargeError, readBoundedBody } from "../../lib/resource-server/body.ts";
import { normalizeEmail, parseAppMetadata } from "../account.ts";
import type { Database } from "../db.ts";
import type { Logger } from "../logger.ts";
import { revokeUserAccess } from "../revoke-access.ts";
import { assignRoles, LastAdminError, listRoles, removeRoles, ROLE_ID, userRoles } from "../roles.ts";
import {
  BearerError,
  requireScopes,
  requireAnyScopeSet,
  type VerifiedAccessToken,
} from "../../lib/resource-server/index.ts";
import { sendBearerError } from "./auth.ts";
import { ApiError, sendApiError } from "./errors.ts";
import { listAnswer, parseCheckpoint, parsePage, pageWindow, slicePage } from "./lists.ts";

export const MANAGEMENT_PREFIX = "/api/v2/";

/** The largest JSON body accepted. */
const BODY_LIMIT = 16 * 1024;

const rolesBody = z.strictObject({ roles: z.array(z.string().regex(ROLE_ID)).min(1).max(50) });

/** revoke-access takes no options here: all sessions, all refresh tokens. */
const revokeBody = z.strictObject({});

const userQuery = z.object({
  fields: z.string().max(500).optional(),
  include_fields: z.enum(["true", "false"]).default("true"),
});

async function readJson(ctx: Koa.Context): Promise<unknown> {
  if (!ctx.is("application/json")) throw new ApiError(415, "invalid_body", "Send the body as application/json.");
  const bytes = await readBoundedBody(ctx.req, BODY_LIMIT).catch((error: unknown) => {
    throw error instanceof BodyTooLargeError ? new ApiError(413, "invalid_body", "The body is too large.") : error;
  });
  try {
    return JSON.parse(Buffer.from(bytes).toString("utf8")) as unknown;
  } catch {
    throw new ApiError(400, "invalid_body", "The body is not valid JSON.");
  }
}

async function readRoleIds(ctx: Koa.Context): Promise<string[]> {
  const parsed = rolesBody.safeParse(await readJson(ctx));
  if (!parsed.success)
    throw new ApiError(400, "invalid_body", 'Expected { "roles": ["rol_…", …] } with 1 to 50 role ids.');
  return [...new Set(parsed.data.roles)];
}

/** Auth0's `q` is Lucene; this takes `email:"…"` or `email:…` (exact), or a bare term (part of the email). */
function emailFilter(q: string | undefined): { equals: string } | { contains: string } | undefined {
  const term = q?.trim();
  if (!term) return undefined;
  const field = /^email:"?([^"]*)"?$/.exec(term);
  if (field) return { equals: normalizeEmail(field[1] ?? "") };
  return { contains: normalizeEmail(term) };
}

export interface ManagementRoutesOptions {
  provider: Provider;
  db: Database;
  logger: Logger;
  authenticate: (ctx: Koa.Context) => Promise<VerifiedAccessToken>;
}

type Handler = (ctx: Koa.Context, token: VerifiedAccessToken, id?: string) => Promise<void>;

/** A user row with the names of the roles it holds. */
interface UserRow {
  id: string;
  email: string;
  name: string;
  appMetadata: string;
  createdAt: Date;
  updatedAt: Date;
  roles: { role: { name: string } }[];
}

const USER_SELECT = {
  id: true,
  email: true,
  name: true,
  appMetadata: true,
  createdAt: true,
  updatedAt: true,
  roles: { select: { role: { select: { name: true } } } },
} as const;

/**
 * A user as Auth0 returns one, with the fields that exist here. Roles are role assignments in
 * this IdP; `app_metadata.roles` shows their names, sorted, as Auth0 tenants that keep roles in
 * app_metadata read them (read-only: the /roles endpoints change them).
 */
function auth0User(row: UserRow): Record<string, unknown> {
  const { roles: _moved, ...appMetadata } = parseAppMetadata(row.appMetadata);
  return {
    user_id: row.id,
    email: row.email,
    email_verified: true,
    name: row.name,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    app_metadata: { ...appMetadata, roles: row.roles.map((held) => held.role.name).sort() },
  };
}

/** Auth0's `fields` / `include_fields`: keep (or drop) the named top-level fields. */
function pickFields(user: Record<string, unknown>, query: Record<string, unknown>): Record<string, unknown> {
  const parsed = userQuery.safeParse(query);
  if (!parsed.success) throw new ApiError(400, "invalid_query_string", "fields or include_fields is not valid.");
  const names = new Set(
    (parsed.data.fields ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  );
  if (!names.size) return user;
  const include = parsed.data.include_fields === "true";
  return Object.fromEntries(Object.entries(user).filter(([key]) => names.has(key) === include));
}

type HandlerName =
  | "listRoles"
  | "roleUsers"
  | "listUsers"
  | "getUser"
  | "userRoles"
  | "assignRoles"
  | "removeRoles"
  | "revokeAccess";

/** The routes under the prefix: method, path pattern (its one group is the id), handler. */
const ROUTES: readonly [method: string, pattern: RegExp, handler: HandlerName][] = [
  ["GET", /^roles$/, "listRoles"],
  ["GET", /^roles\/([^/]+)\/users$/, "roleUsers"],
  ["GET", /^users$/, "listUsers"],
  ["GET", /^users\/([^/]+)$/, "getUser"],
  ["GET", /^users\/([^/]+)\/roles$/, "userRoles"],
  ["POST", /^users\/([^/]+)\/roles$/, "assignRoles"],
  ["DELETE", /^users\/([^/]+)\/roles$/, "removeRoles"],
  ["POST", /^users\/([^/]+)\/revoke-access$/, "revokeAccess"],
];

/** The handler name and decoded id for a request, or undefined (501). A badly encoded id names nobody: 404. */
function route(method: string, rest: string): { handler: HandlerName; id?: string } | undefined {
  for (const [routeMethod, pattern, handler] of ROUTES) {
    const match = method === routeMethod ? pattern.exec(rest) : null;
    if (!match) continue;
    if (match[1] === undefined) return { handler };
    try {
      return { handler, id: decodeURIComponent(match[1]) };
    } catch {
      return { handler, id: undefined };
    }
  }
  return undefined;
}

/** Koa middleware for every path under /api/v2/. */
export function managementRoutes({ provider, db, logger, authenticate }: ManagementRoutesOptions): Koa.Middleware {
  async function requireUser(userId: string | undefined): Promise<UserRow> {
    const user = userId ? await db.idpUser.findUnique({ where: { id: userId }, select: USER_SELECT }) : null;
    if (!user) throw new ApiError(404, "inexistent_user", "The user does not exist.");
    return user;
  }

  async function requireRole(roleId: string | undefined): Promise<string> {
    const role = roleId ? await db.idpRole.findUnique({ where: { id: roleId }, select: { id: true } }) : null;
    if (!role) throw new ApiError(404, "inexistent_role", "The role does not exist.");
    return role.id;
  }

  async function requireRoles(ids: string[]): Promise<void> {
    const found = await db.idpRole.count({ where: { id: { in: ids } } });
    if (found !== ids.length) throw new ApiError(404, "inexistent_role", "A role in the body does not exist.");
  }

  /** A window of the users holding a role, by email, and how many hold it. */
  async function roleMembers(roleId: string, { skip, take }: { skip: number; take: number }) {
    const where = { roleId };
    const [rows, total] = await Promise.all([
      db.idpUserRole.findMany({
        where,
        select: { user: { select: { id: true, email: true, name: true } } },
        orderBy: { user: { email: "asc" } },
        skip,
        take,
      }),
      db.idpUserRole.count({ where }),
    ]);
    return { users: rows.map(({ user }) => ({ user_id: user.id, email: user.email, name: user.name })), total };
  }

  function audit(token: VerifiedAccessToken, action: string, userId: string, details: Record<string, unknown>): void {
    logger.info(
      { event: "management_change", client_id: token.payload.client_id, action, user_id: userId, ...details },
      "Management API change",
    );
  }

  const handlers: Record<HandlerName, Handler> = {
    async listRoles(ctx, token) {
      requireScopes(token, "read:roles");
      const request = parsePage(ctx.query);
      const nameFilter = ctx.query.name_filter;
      const all = await listRoles(db, typeof nameFilter === "string" && nameFilter ? nameFilter : undefined);
      const { items, total } = slicePage(all, request);
      ctx.body = listAnswer("roles", items, total, request);
    },
    async roleUsers(ctx, token, roleId) {
      requireScopes(token, "read:users", "read:roles");
      const checkpoint = parseCheckpoint(ctx.query);
      const request = checkpoint ? undefined : parsePage(ctx.query);
      const id = await requireRole(roleId);
      if (checkpoint) {
        const { users, total } = await roleMembers(id, checkpoint);
        const next = checkpoint.skip + users.length;
        ctx.body = next < total ? { users, next: String(next) } : { users };
      } else if (request) {
        const { users, total } = await roleMembers(id, pageWindow(request));
        ctx.body = listAnswer("users", users, total, request);
      }
    },
    async listUsers(ctx, token) {
      requireScopes(token, "read:users");
      const request = parsePage(ctx.query);
      const q = ctx.query.q;
      if (q !== undefined && (typeof q !== "string" || q.length > 200)) {
        throw new ApiError(400, "invalid_query_string", "q is not valid.");
      }
      const email = emailFilter(q);
      const where = email ? { email } : {};
      const [rows, total] = await Promise.all([
        db.idpUser.findMany({ where, select: USER_SELECT, orderBy: { email: "asc" }, ...pageWindow(request) }),
        db.idpUser.count({ where }),
      ]);
      const users = rows.map(auth0User);
      ctx.body = listAnswer("users", users, total, request, { length: users.length });
    },
    async getUser(ctx, token, userId) {
      requireScopes(token, "read:users");
      ctx.body = pickFields(auth0User(await requireUser(userId)), ctx.query);
    },
    async userRoles(ctx, token, userId) {
      requireScopes(token, "read:roles");
      const request = parsePage(ctx.query);
      const { items, total } = slicePage(await userRoles(db, (await requireUser(userId)).id), request);
      ctx.body = listAnswer("roles", items, total, request);
    },
    async assignRoles(ctx, token, userId) {
      requireAnyScopeSet(token, ["update:users"], ["create:role_members"]);
      const roleIds = await readRoleIds(ctx);
      const { id } = await requireUser(userId);
      await requireRoles(roleIds);
      await assignRoles(db, id, roleIds);
      audit(token, "assign_roles", id, { roles: roleIds });
      ctx.status = 204;
    },
    async removeRoles(ctx, token, userId) {
      requireAnyScopeSet(token, ["update:users"], ["delete:role_members"]);
      const roleIds = await readRoleIds(ctx);
      const { id } = await requireUser(userId);
      await requireRoles(roleIds);
      try {
        await removeRoles(db, id, roleIds);
      } catch (error) {
        if (!(error instanceof LastAdminError)) throw error;
        logger.warn(
          { event: "management_refused", client_id: token.payload.client_id, user_id: id },
          "last admin kept",
        );
        throw new ApiError(409, error.code, error.message);
      }
      audit(token, "remove_roles", id, { roles: roleIds });
      ctx.status = 204;
    },
    async revokeAccess(ctx, token, userId) {
      requireScopes(token, "delete:sessions", "delete:refresh_tokens");
      const hasBody = Number(ctx.get("content-length") || 0) > 0 || Boolean(ctx.get("transfer-encoding"));
      if (hasBody && !revokeBody.safeParse(await readJson(ctx)).success) {
        throw new ApiError(
          400,
          "invalid_body",
          "Expected no body or {}: this IdP revokes every session and refresh token.",
        );
      }
      const { id } = await requireUser(userId);
      const result = await revokeUserAccess(provider, id);
      audit(token, "revoke_access", id, { sessions: result.sessions, grants: result.grants });
      ctx.status = 202;
      ctx.body = ""; // Koa would otherwise write the status text
    },
  };

  return async (ctx, next) => {
    if (!ctx.path.startsWith(MANAGEMENT_PREFIX)) return next();
    ctx.set("Cache-Control", "no-store");
    try {
      const found = route(ctx.method, ctx.path.slice(MANAGEMENT_PREFIX.length));
      // Authenticate even a path that does not exist: the API's layout is for token holders.
      const token = await authenticate(ctx);
      if (!found) {
        throw new ApiError(
          501,
          "not_implemented",
          "This IdP does not implement this Management API endpoint (docs/contract.md lists the ones it does).",
        );
      }
      await handlers[found.handler](ctx, token, found.id);
    } catch (error) {
      if (error instanceof BearerError) return await sendBearerError(ctx, error);
      if (!(error instanceof ApiError)) throw error; // the error boundary answers 500, details in the log only
      sendApiError(ctx, error);
    }
  };
}
