/**
 * The shape of a post-login action, modelled on Auth0 Actions (Login flow,
 * `onExecutePostLogin(event, api)`), so an action written here ports to an Auth0 tenant with
 * the same body.
 */
import type { AppMetadata } from "../account.ts";

/** What an action knows about the login (or refresh) it runs for. Read-only. */
export interface PostLoginEvent {
  user: {
    user_id: string;
    email: string;
    name: string;
    app_metadata: AppMetadata;
  };
  /** The user's RBAC roles (names), as Auth0 passes them: role assignments, read fresh per token. */
  authorization: {
    roles: string[];
  };
  client: {
    client_id: string;
    name: string;
  };
  /** The API the access token is for; absent when the token is only for userinfo. */
  resource_server?: {
    identifier: string;
  };
  request: {
    ip: string;
    hostname: string;
    method: string;
    user_agent?: string;
    /** Authorization request parameters (at login). */
    query: Record<string, string>;
    /** Token request parameters that are not credentials: grant_type, scope, resource (at the token endpoint). */
    body: Record<string, string>;
  };
  transaction: {
    requested_scopes: string[];
    /**
     * `oidc-basic-profile` for a login (code flow), `oauth2-refresh-token` for a refresh,
     * `oauth2-token-exchange` for the token inspector's contrast (RFC 8693; a local IdP only).
     */
    protocol: "oidc-basic-profile" | "oauth2-refresh-token" | "oauth2-token-exchange";
  };
  /** Configuration handed to actions, like Auth0 Action secrets (e.g. API_AUDIENCE). */
  secrets: Readonly<Record<string, string>>;
}

/** What an action may do. */
export interface PostLoginApi {
  accessToken: {
    /** Adds a claim to the access token; the name must be namespaced (an http(s) URL). */
    setCustomClaim(name: string, value: unknown): void;
  };
  idToken: {
    /** Adds a claim to the ID token; the name must be namespaced (an http(s) URL). */
    setCustomClaim(name: string, value: unknown): void;
  };
  access: {
    /** Ends this login (or refresh) with OAuth `access_denied` and this description. */
    deny(reason: string): void;
  };
}

export type OnExecutePostLogin = (event: PostLoginEvent, api: PostLoginApi) => Promise<void> | void;

/** An action as the runtime loads it: a name for logs and errors, and its handler. */
export interface PostLoginAction {
  /** Shown in logs and load errors; the module's file name by convention. */
  name: string;
  onExecutePostLogin: OnExecutePostLogin;
}

/** Claims the actions asked for, per token. */
export interface ActionOutcome {
  accessTokenClaims: Record<string, unknown>;
  idTokenClaims: Record<string, unknown>;
}
