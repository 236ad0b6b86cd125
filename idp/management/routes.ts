/**
 * The Management API, shaped like Auth0's (`/api/v2/...`: same paths, methods, bodies and
 * scopes), so the app's management client works against a real Auth0 tenant by settings alone.
 *
 *   GET    /api/v2/roles                       read:roles     [{ id, name, description }]
 *   GET    /api/v2/users                       read:users     page, per_page, q, include_totals
 *   GET    /api/v2/users/{id}/roles            read:roles     [{ id, name, description }]
 *   POST   /api/v2/users/{id}/roles            update:users or create:role_members   { roles: ["rol_…"] } → 204
 *   DELETE /api/v2/users/{id}/roles            update:users or delete:role_members   { roles: ["rol_…"] } → 204
 *   POST   /api/v2/users/{id}/revoke-access    delete:sessions and delete:refresh_tokens → 202
 *                                              (no body or {}: every session and refresh token; Auth0's
 *                                              session_id / preserve_refresh_tokens are refused with 400)
 *
 * Token problems are RFC 6750 answers (auth.ts); everything else answers like Auth0:
 * `{ statusCode, error, message, errorCode }`, never a stack trace or an echo of the request.
 * Every change is logged: which client, what, for whom.
 */
import type Koa from "koa";
import type { Provider } from "oidc-provider";
import { z } from "zod";
import { normalizeEmail, parseAppMetadata } from "../account.ts";
import type { Database } from "../db.ts";
import type { Logger } from "../logger.ts";
import { revokeUserAccess } from "../revoke-access.ts";
import { assignRoles, LastAdminError, listRoles, removeRoles, ROLE_ID, userRoles } from "../roles.ts";
import { BearerError, requireScopes, sendBearerError, type ManagementToken } from "./auth.ts";

export const MANAGEMENT_PREFIX = "/api/v2/";

/** The largest JSON body accepted. */
const BODY_LIMIT = 16 * 1024;

/** A non-token failure, in Auth0's shape. */
class ApiError extends Error {
  readonly statusCode: 400 | 404 | 405 | 409 | 413 | 415;
  readonly errorCode: string;

  // No constructor parameter properties: Node's type stripping accepts only erasable TypeScript.
  constructor(statusCode: 400 | 404 | 405 | 409 | 413 | 415, errorCode: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.errorCode = errorCode;
  }
}

const REASONS: Record<ApiError["statusCode"], string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
};

const rolesBody = z.strictObject({ roles: z.array(z.string().regex(ROLE_ID)).min(1).max(50) });

/** revoke-access takes no options here: all sessions, all refresh tokens. */
const revokeBody = z.strictObject({});

const listQuery = z.object({
  page: z.coerce.number().int().min(0).max(10_000).default(0),
  per_page: z.coerce.number().int().min(1).max(100).default(50),
  q: z.string().max(200).optional(),
  include_totals: z.enum(["true", "false"]).default("false"),
});

async function readJson(ctx: Koa.Context): Promise<unknown> {
  if (!ctx.is("application/json")) throw new ApiError(415, "invalid_body", "Send the body as application/json.");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new ApiError(413, "invalid_body", "The body is too large.");
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
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
  authenticate: (ctx: Koa.Context) => Promise<ManagementToken>;
}

type Handler = (ctx: Koa.Context, token: ManagementToken, userId?: string) => Promise<void>;

/** Koa middleware for every path under /api/v2/. */
export function managementRoutes({ provider, db, logger, authenticate }: ManagementRoutesOptions): Koa.Middleware {
  async function requireUser(userId: string | undefined): Promise<string> {
    const user = userId ? await db.idpUser.findUnique({ where: { id: userId }, select: { id: true } }) : null;
    if (!user) throw new ApiError(404, "inexistent_user", "The user does not exist.");
    return user.id;
  }

  async function requireRoles(ids: string[]): Promise<void> {
    const found = await db.idpRole.count({ where: { id: { in: ids } } });
    if (found !== ids.length) throw new ApiError(404, "inexistent_role", "A role in the body does not exist.");
  }

  function audit(token: ManagementToken, action: string, userId: string, details: Record<string, unknown>): void {
    logger.info(
      { event: "management_change", client_id: token.clientId, action, user_id: userId, ...details },
      "Management API change",
    );
  }

  const handlers: Record<string, Handler> = {
    async "GET roles"(ctx, token) {
      requireScopes(token, ["read:roles"]);
      const nameFilter = ctx.query.name_filter;
      ctx.body = await listRoles(db, typeof nameFilter === "string" && nameFilter ? nameFilter : undefined);
    },
    async "GET users"(ctx, token) {
      requireScopes(token, ["read:users"]);
      const parsed = listQuery.safeParse(ctx.query);
      if (!parsed.success) throw new ApiError(400, "invalid_query_string", "page, per_page or q is not valid.");
      const { page, per_page, q, include_totals } = parsed.data;
      const email = emailFilter(q);
      const where = email ? { email } : {};
      const [rows, total] = await Promise.all([
        db.idpUser.findMany({ where, orderBy: { email: "asc" }, skip: page * per_page, take: per_page }),
        db.idpUser.count({ where }),
      ]);
      const users = rows.map((row) => {
        const { roles: _moved, ...appMetadata } = parseAppMetadata(row.appMetadata);
        return {
          user_id: row.id,
          email: row.email,
          email_verified: true,
          name: row.name,
          created_at: row.createdAt.toISOString(),
          updated_at: row.updatedAt.toISOString(),
          app_metadata: appMetadata,
        };
      });
      ctx.body =
        include_totals === "true"
          ? { start: page * per_page, limit: per_page, length: users.length, total, users }
          : users;
    },
    async "GET users/roles"(ctx, token, userId) {
      requireScopes(token, ["read:roles"]);
      ctx.body = await userRoles(db, await requireUser(userId));
    },
    async "POST users/roles"(ctx, token, userId) {
      requireScopes(token, ["update:users"], ["create:role_members"]);
      const roleIds = await readRoleIds(ctx);
      const id = await requireUser(userId);
      await requireRoles(roleIds);
      await assignRoles(db, id, roleIds);
      audit(token, "assign_roles", id, { roles: roleIds });
      ctx.status = 204;
    },
    async "DELETE users/roles"(ctx, token, userId) {
      requireScopes(token, ["update:users"], ["delete:role_members"]);
      const roleIds = await readRoleIds(ctx);
      const id = await requireUser(userId);
      await requireRoles(roleIds);
      try {
        await removeRoles(db, id, roleIds);
      } catch (error) {
        if (!(error instanceof LastAdminError)) throw error;
        logger.warn({ event: "management_refused", client_id: token.clientId, user_id: id }, "last admin kept");
        throw new ApiError(409, error.code, error.message);
      }
      audit(token, "remove_roles", id, { roles: roleIds });
      ctx.status = 204;
    },
    async "POST users/revoke-access"(ctx, token, userId) {
      requireScopes(token, ["delete:sessions", "delete:refresh_tokens"]);
      const hasBody = Number(ctx.get("content-length") || 0) > 0 || Boolean(ctx.get("transfer-encoding"));
      if (hasBody && !revokeBody.safeParse(await readJson(ctx)).success) {
        throw new ApiError(
          400,
          "invalid_body",
          "Expected no body or {}: this IdP revokes every session and refresh token.",
        );
      }
      const id = await requireUser(userId);
      const result = await revokeUserAccess(provider, id);
      audit(token, "revoke_access", id, { sessions: result.sessions, grants: result.grants });
      ctx.status = 202;
      ctx.body = ""; // Koa would otherwise write the status text
    },
  };

  /** The handler key and user id for a path under the prefix, or undefined. */
  function route(method: string, rest: string): { key: string; userId?: string } | undefined {
    if (rest === "roles" || rest === "users") return { key: `${method} ${rest}` };
    const match = /^users\/([^/]+)\/(roles|revoke-access)$/.exec(rest);
    if (!match?.[1]) return undefined;
    let userId: string | undefined;
    try {
      userId = decodeURIComponent(match[1]);
    } catch {
      userId = undefined; // not a valid encoding: no such user
    }
    return { key: `${method} users/${match[2]}`, userId };
  }

  return async (ctx, next) => {
    if (!ctx.path.startsWith(MANAGEMENT_PREFIX)) return next();
    ctx.set("Cache-Control", "no-store");
    try {
      const found = route(ctx.method, ctx.path.slice(MANAGEMENT_PREFIX.length));
      const handler = found && handlers[found.key];
      // Authenticate even a path that does not exist: the API's layout is for token holders.
      const token = await authenticate(ctx);
      if (!found) throw new ApiError(404, "not_found", "Not Found");
      if (!handler) throw new ApiError(405, "method_not_allowed", "This method is not allowed here.");
      await handler(ctx, token, found.userId);
    } catch (error) {
      if (error instanceof BearerError) return sendBearerError(ctx, error);
      if (!(error instanceof ApiError)) throw error; // the error boundary answers 500, details in the log only
      ctx.status = error.statusCode;
      ctx.body = {
        statusCode: error.statusCode,
        error: REASONS[error.statusCode],
        message: error.message,
        errorCode: error.errorCode,
      };
    }
  };
}
