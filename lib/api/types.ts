/**
 * The app API's answers, declared once: the routes under app/api/ check what they send against
 * these (`satisfies`), and lib/api/client.ts hands the pages the same types. Types only, so any
 * module may import it.
 */

/** What GET /api/me answers: what the API read from the verified access token. */
export interface MeResponse {
  sub: string;
  client_id: string | null;
  scope: string | null;
  roles: string[];
  claims: Record<string, unknown>;
}

/** What GET /api/admin answers to an admin: the users the app has seen, their IdP `sub`, and their live sessions. */
export interface AdminResponse {
  users: {
    id: string;
    sub: string | null;
    name: string | null;
    email: string | null;
    sessions: { expires: string }[];
  }[];
}

/** What GET /api/health answers: 200 with `ok: true` once the app can serve, 503 otherwise. */
export interface HealthResponse {
  ok: boolean;
}

/** What the API answers when it refuses (RFC 6750), and what the proxy answers to a cross-site request. */
export interface ApiError {
  error: string;
  error_description?: string;
}

/** Which answer each GET route gives, for lib/api/client.ts's callApi. */
export interface ApiRoutes {
  "/api/me": MeResponse;
  "/api/admin": AdminResponse;
  "/api/health": HealthResponse;
}
