/**
 * The APIs (resource servers) the IdP issues access tokens for, and the translation of Auth0's
 * `audience` parameter into RFC 8707's `resource`, which is what oidc-provider understands: in
 * the query of an authorization request (a middleware rewrites it), and in the form body of a
 * token request (read in oidc-provider's own resource hooks, from the body it parsed itself: a
 * body parser in front of oidc-provider would be a second reader of the same stream).
 */
import { errors, type Client, type KoaContextWithOIDC, type ResourceServer } from "oidc-provider";
import type Koa from "koa";
import { MANAGEMENT_CLIENT_ID, managementAudience } from "./clients.ts";
import type { IdpSettings } from "./env.ts";
import { SIGNING_ALG } from "./keys.ts";

/** The second API: it never gets the roles claim (docs/contract.md). */
export const REPORTS_API = "urn:claimtrip:reports";

/**
 * Scopes an API's access tokens may carry. Auth0 puts the OpenID scopes of the login into the
 * access token for a custom API too (`scope: "openid profile email offline_access"`); listing
 * them here gives our tokens the same RFC 9068 `scope` claim.
 */
const API_SCOPES = "openid profile email offline_access";

export interface ResourceRegistry {
  /** `features.resourceIndicators.getResourceServerInfo`; unknown identifiers are `invalid_target`. */
  getResourceServerInfo(ctx: KoaContextWithOIDC, indicator: string, client: Client): Promise<ResourceServer>;
  /**
   * `features.resourceIndicators.defaultResource`. A client that names no API gets an opaque
   * token for userinfo (as on Auth0 without a default audience); when a refresh token covers
   * several APIs and the request names none, the app's API wins.
   */
  defaultResource(ctx: KoaContextWithOIDC, client: Client, oneOf?: readonly string[]): Promise<string | undefined>;
  /**
   * `features.resourceIndicators.useGrantedResource`: a token request that names no resource gets
   * what was granted (Auth.js does not repeat `resource` at the token endpoint), unless its
   * `audience` names an API that was not granted (`invalid_target`).
   */
  useGrantedResource(ctx: KoaContextWithOIDC, model: { resource?: string | string[] }): Promise<boolean>;
  /** The rule `defaultResource` applies to several granted APIs. */
  pickResource(resources: readonly string[]): string | undefined;
  identifiers: readonly string[];
}

export function createResourceRegistry(settings: IdpSettings): ResourceRegistry {
  const jwtApi = (scope: string): ResourceServer => ({
    scope,
    accessTokenFormat: "jwt",
    accessTokenTTL: settings.IDP_ACCESS_TOKEN_TTL,
    jwt: { sign: { alg: SIGNING_ALG } },
  });
  const servers = new Map<string, ResourceServer>([
    [settings.API_AUDIENCE, jwtApi(API_SCOPES)],
    [REPORTS_API, jwtApi(API_SCOPES)],
  ]);
  const pickResource = (resources: readonly string[]) =>
    resources.includes(settings.API_AUDIENCE) ? settings.API_AUDIENCE : resources[0];
  const management = managementAudience(settings.IDP_ISSUER);

  return {
    identifiers: [...servers.keys(), management],
    pickResource,
    async getResourceServerInfo(ctx, indicator, client) {
      // The Management API is for the machine client alone, and the machine client (which acts
      // for no user) gets tokens for nothing else.
      const isManagementClient = client.clientId === MANAGEMENT_CLIENT_ID;
      if (indicator === management) {
        if (!isManagementClient) throw new errors.InvalidTarget("this client may not call the Management API");
        const allowed = client.scope ?? "";
        // As on Auth0, a client-credentials request that names no scope gets every scope the
        // client's registration lists; oidc-provider then keeps only scopes listed here.
        const params = ctx.oidc.params;
        if (params && params.grant_type === "client_credentials" && !params.scope) params.scope = allowed;
        return {
          scope: allowed,
          accessTokenFormat: "jwt",
          accessTokenTTL: settings.IDP_ACCESS_TOKEN_TTL,
          jwt: { sign: { alg: SIGNING_ALG } },
          audience: management,
        };
      }
      if (isManagementClient) throw new errors.InvalidTarget(`unknown API "${indicator}"`);
      const info = servers.get(indicator);
      if (!info) throw new errors.InvalidTarget(`unknown API "${indicator}"`);
      return { ...info, audience: indicator };
    },
    async defaultResource(ctx, client, oneOf) {
      const audience = tokenRequestAudience(ctx);
      if (audience !== undefined) return audience;
      if (client.clientId === MANAGEMENT_CLIENT_ID) return management;
      return oneOf ? pickResource(oneOf) : undefined;
    },
    async useGrantedResource(ctx, model) {
      const audience = tokenRequestAudience(ctx);
      const granted = [model.resource ?? []].flat();
      if (audience !== undefined && !granted.includes(audience)) {
        throw new errors.InvalidTarget("the audience was not granted");
      }
      return true;
    },
  };
}

/**
 * Auth0's `audience` in a token request's form body, when it names exactly one API. oidc-provider
 * keeps the whole parsed body in `ctx.oidc.body`; only its allow-listed parameters reach `params`.
 */
function tokenRequestAudience(ctx: KoaContextWithOIDC): string | undefined {
  if (ctx.oidc.route !== "token") return undefined;
  const audience = (ctx.oidc.body as Record<string, unknown> | undefined)?.audience;
  return typeof audience === "string" && audience ? audience : undefined;
}

/** Moves `audience` into `resource` unless the request names a resource already. */
function translate(params: URLSearchParams): boolean {
  const audiences = params.getAll("audience");
  if (audiences.length !== 1) return false;
  params.delete("audience");
  if (!params.has("resource")) params.set("resource", audiences[0] ?? "");
  return true;
}

/**
 * Koa middleware, before oidc-provider's routes: accepts Auth0's `audience` at the authorization
 * endpoint (query) by rewriting it to `resource`, so one app setting (AUTH_AUDIENCE_PARAM=audience)
 * works here and on Auth0. At the token endpoint the resource hooks above read it instead.
 */
export function audienceParameter(paths: { authorization: string }): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path === paths.authorization && (ctx.method === "GET" || ctx.method === "HEAD")) {
      const params = new URLSearchParams(ctx.querystring);
      if (translate(params)) ctx.querystring = params.toString();
    }
    return next();
  };
}
