/**
 * The app's client for the IdP's Management API, shaped like Auth0's (`/api/v2/`), so the same
 * code manages roles on the local IdP and on an Auth0 tenant; only MANAGEMENT_* settings differ.
 *
 * It authenticates as a machine client (client credentials; Auth0: a Machine-to-Machine
 * application), keeps its access token until shortly before it expires, and never lets two
 * requests fetch a token at the same time. The token is the app's, not any user's: callers
 * decide who may use it (lib/admin/change.ts).
 */
import "server-only";
import { clientSecretBasic } from "../http/client-secret-basic";

/** A role as the Management API lists it. */
export interface ManagementRole {
  id: string;
  name: string;
  description: string;
}

/** A user as the Management API lists it (the fields the app reads). */
export interface ManagementUser {
  user_id: string;
  email: string;
  name?: string;
}

export type ManagementErrorCode =
  /** No client secret is configured. */
  | "not_configured"
  /** The IdP did not answer, or answered 5xx or 429. */
  | "unavailable"
  /** The IdP refused the client or its token (401/403): a settings problem, e.g. missing scopes. */
  | "refused"
  /** No such user or role (404). */
  | "not_found"
  /** The IdP refused a change that would break one of its rules (409), e.g. removing the last admin. */
  | "conflict"
  /** A user id that cannot name a user: empty, `.` or `..`, which would change the URL's path. */
  | "invalid_user_id";

export class ManagementError extends Error {
  override name = "ManagementError";
  readonly code: ManagementErrorCode;
  /** A short machine-readable detail for logs (an HTTP status, an OAuth error); never a token. */
  readonly reason: string;
  constructor(code: ManagementErrorCode, reason: string) {
    super(`Management API: ${code} (${reason})`);
    this.code = code;
    this.reason = reason;
  }
}

export interface ManagementClientOptions {
  /** The token endpoint, looked up when first needed (discovery). */
  tokenEndpoint: () => Promise<string>;
  clientId: string;
  clientSecret: string | undefined;
  /** The Management API's identifier; also its base URL, as on Auth0 (`https://TENANT/api/v2/`). */
  audience: string;
  /** Renew the token when it has fewer seconds left than this. Default: 60 */
  renewBeforeSeconds?: number;
  /** Default: 10 seconds per request. */
  timeoutMs?: number;
}

export interface ManagementClient {
  listUsers(options?: {
    page?: number;
    perPage?: number;
    q?: string;
  }): Promise<{ users: ManagementUser[]; total: number }>;
  listRoles(nameFilter?: string): Promise<ManagementRole[]>;
  userRoles(userId: string): Promise<ManagementRole[]>;
  assignRoles(userId: string, roleIds: readonly string[]): Promise<void>;
  removeRoles(userId: string, roleIds: readonly string[]): Promise<void>;
  revokeAccess(userId: string): Promise<void>;
  /** Forgets the cached token (tests; a rotated secret). */
  reset(): void;
}

interface CachedToken {
  value: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export function createManagementClient(options: ManagementClientOptions): ManagementClient {
  const renewBefore = (options.renewBeforeSeconds ?? 60) * 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const base = options.audience.endsWith("/") ? options.audience : `${options.audience}/`;
  let cached: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;

  async function fetchToken(): Promise<CachedToken> {
    if (!options.clientSecret) throw new ManagementError("not_configured", "no_client_secret");
    let response: Response;
    try {
      response = await fetch(await options.tokenEndpoint(), {
        method: "POST",
        headers: {
          authorization: clientSecretBasic(options.clientId, options.clientSecret),
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        // `audience` is what Auth0 reads; the local IdP accepts it as RFC 8707's `resource` too.
        // No scope: the token carries every scope the client was granted.
        body: new URLSearchParams({ grant_type: "client_credentials", audience: options.audience }),
        signal: AbortSignal.timeout(timeoutMs),
        cache: "no-store",
      });
    } catch {
      throw new ManagementError("unavailable", "token_endpoint_unreachable");
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
    };
    if (response.status >= 500 || response.status === 429)
      throw new ManagementError("unavailable", `token_http_${response.status}`);
    if (!response.ok || typeof body.access_token !== "string") {
      throw new ManagementError(
        "refused",
        typeof body.error === "string" ? body.error.slice(0, 40) : `token_http_${response.status}`,
      );
    }
    const lifetime = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 60;
    return { value: body.access_token, expiresAt: Date.now() + lifetime * 1000 };
  }

  async function token(): Promise<string> {
    if (cached && cached.expiresAt - renewBefore > Date.now()) return cached.value;
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    cached = await pending;
    return cached.value;
  }

  async function request(method: string, path: string, body?: unknown, retried = false): Promise<Response> {
    const value = await token();
    let response: Response;
    try {
      response = await fetch(new URL(path, base), {
        method,
        headers: {
          authorization: `Bearer ${value}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        cache: "no-store",
      });
    } catch {
      throw new ManagementError("unavailable", "api_unreachable");
    }
    // A token the IdP no longer accepts (its keys rotated, it restarted with a new secret):
    // forget it and try once more with a new one.
    if (response.status === 401 && !retried) {
      if (cached?.value === value) cached = undefined;
      return request(method, path, body, true);
    }
    if (response.status === 404) throw new ManagementError("not_found", "http_404");
    if (response.status === 409) {
      // Auth0's error shape: { statusCode, error, message, errorCode }; the code is a short word.
      const body = (await response.json().catch(() => ({}))) as { errorCode?: unknown };
      const errorCode =
        typeof body.errorCode === "string" && /^\w{1,40}$/.test(body.errorCode) ? body.errorCode : "http_409";
      throw new ManagementError("conflict", errorCode);
    }
    if (response.status === 401 || response.status === 403)
      throw new ManagementError("refused", `http_${response.status}`);
    if (!response.ok)
      throw new ManagementError(
        response.status >= 500 || response.status === 429 ? "unavailable" : "refused",
        `http_${response.status}`,
      );
    return response;
  }

  /**
   * `users/{id}`, refused before any URL exists when the encoded id would not stay one path
   * segment: encodeURIComponent leaves `.` and `..` as they are, and a URL resolves them
   * (`users/../roles` is `roles`), so an id must never be allowed to walk the API's paths.
   */
  const userPath = (userId: string) => {
    const segment = encodeURIComponent(userId);
    if (segment === "" || segment === "." || segment === "..")
      throw new ManagementError("invalid_user_id", "dot_segment_or_empty");
    const path = `users/${segment}`;
    if (new URL(path, base).href !== `${base}${path}`) throw new ManagementError("invalid_user_id", "path_changed");
    return path;
  };

  return {
    async listUsers({ page = 0, perPage = 50, q } = {}) {
      const query = new URLSearchParams({ page: String(page), per_page: String(perPage), include_totals: "true" });
      if (q) query.set("q", q);
      const out = (await (await request("GET", `users?${query}`)).json()) as { users: ManagementUser[]; total: number };
      return { users: out.users, total: out.total };
    },
    async listRoles(nameFilter) {
      const query = nameFilter ? `?${new URLSearchParams({ name_filter: nameFilter })}` : "";
      return (await (await request("GET", `roles${query}`)).json()) as ManagementRole[];
    },
    async userRoles(userId) {
      return (await (await request("GET", `${userPath(userId)}/roles`)).json()) as ManagementRole[];
    },
    async assignRoles(userId, roleIds) {
      await request("POST", `${userPath(userId)}/roles`, { roles: roleIds });
    },
    async removeRoles(userId, roleIds) {
      await request("DELETE", `${userPath(userId)}/roles`, { roles: roleIds });
    },
    async revokeAccess(userId) {
      await request("POST", `${userPath(userId)}/revoke-access`, {});
    },
    reset() {
      cached = undefined;
    },
  };
}
