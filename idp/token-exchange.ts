/**
 * The contrast grant: OAuth 2.0 Token Exchange (RFC 8693), offered by a local IdP only, so the
 * token inspector can show what this IdP issues, for the same user at the same moment, to the
 * other client (claimtrip-cli) and for the other API (urn:claimtrip:reports), next to the app's
 * own token. The tokens come out of the ordinary machinery (the post-login actions through
 * `extraTokenClaims`, the resource server's JWT format), so the page shows the IdP's answer, not
 * a drawing of it.
 *
 * Who could abuse it, and what stops them:
 * - anyone on the network: the grant is registered for claimtrip-web alone, a confidential client
 *   that authenticates with its secret (client_secret_basic) before the handler runs;
 * - the web app itself, asking for an arbitrary user: the user is the `sub` of a live access token
 *   this IdP signed for the app's API and issued to claimtrip-web (the `subject_token`), so the app
 *   gets nothing for a user it does not already hold a token for;
 * - the web app, asking for more than that token gives: only the advertised targets can be asked
 *   for (never the Management API, never the app's own API for itself), the actions run as they
 *   would for that client and API (so no roles claim), the scope is the subject token's, and the
 *   new token expires no later than the subject token;
 * - a deployed IdP: the grant is not registered (`unsupported_grant_type`) and not advertised.
 */
import { createLocalJWKSet, jwtVerify, type JWTPayload } from "jose";
import { type Client, errors, type FindAccount, type KoaContextWithOIDC, type Provider } from "oidc-provider";
import {
  ACCESS_TOKEN_TYPE,
  AS_CLIENT_PARAM,
  CONTRAST_TARGETS_FIELD,
  type ContrastTarget,
  TOKEN_EXCHANGE_GRANT,
} from "../lib/shared/contrast.ts";
import type { ClaimtripAccount } from "./account.ts";
import { CLI_CLIENT_ID, contrastEnabled, WEB_CLIENT_ID } from "./clients.ts";
import type { IdpSettings } from "./env.ts";
import { publicJwk, SIGNING_ALG, type StoredKey } from "./keys.ts";
import type { Logger } from "./logger.ts";
import { REPORTS_API, type ResourceRegistry } from "./resources.ts";

/** The other client for the app's API, and the app for the other API. */
export function contrastTargets(settings: IdpSettings): ContrastTarget[] {
  return [
    { client_id: CLI_CLIENT_ID, resource: settings.API_AUDIENCE },
    { client_id: WEB_CLIENT_ID, resource: REPORTS_API },
  ];
}

/** The discovery metadata to add: the targets, when the grant is offered. */
export function contrastDiscovery(settings: IdpSettings): Record<string, unknown> {
  return contrastEnabled(settings) ? { [CONTRAST_TARGETS_FIELD]: contrastTargets(settings) } : {};
}

export interface TokenExchangeOptions {
  settings: IdpSettings;
  keys: readonly StoredKey[];
  resources: ResourceRegistry;
  /** The provider's own account lookup (fresh from the database, roles included). */
  findAccount: FindAccount;
  logger: Logger;
}

const single = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

/** Registers the grant when this IdP offers it; call before the first request. */
export function installTokenExchange(provider: Provider, options: TokenExchangeOptions): void {
  const { settings, resources, findAccount, logger } = options;
  if (!contrastEnabled(settings)) return;
  const jwks = createLocalJWKSet({ keys: options.keys.map(publicJwk) });
  const targets = contrastTargets(settings);

  async function verifySubject(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: settings.IDP_ISSUER,
        audience: settings.API_AUDIENCE,
        algorithms: [SIGNING_ALG],
        typ: "at+jwt",
        requiredClaims: ["exp", "sub", "client_id"],
      });
      return payload;
    } catch {
      throw new errors.InvalidGrant("subject_token is not a live access token of this IdP for the app's API");
    }
  }

  async function handler(ctx: KoaContextWithOIDC): Promise<void> {
    const { client, params } = ctx.oidc;
    // Only claimtrip-web registers the grant; said again here, where the decision is made.
    if (!client || client.clientId !== WEB_CLIENT_ID) throw new errors.UnauthorizedClient();
    if (params?.subject_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
    }
    if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
    }
    const subjectToken = single(params.subject_token);
    if (!subjectToken) throw new errors.InvalidRequest("missing subject_token");
    const resource = single(params.resource);
    const asClient = single(params[AS_CLIENT_PARAM]);
    const target = targets.find((t) => t.client_id === asClient && t.resource === resource);
    if (!target) throw new errors.InvalidTarget("only the advertised contrast targets can be asked for");

    const subject = await verifySubject(subjectToken);
    // The subject token must be the requesting client's own: a token of another client proves nothing here.
    if (subject.client_id !== client.clientId) {
      throw new errors.InvalidGrant("subject_token was not issued to this client");
    }
    const account = (await findAccount(ctx, subject.sub as string)) as ClaimtripAccount | undefined;
    if (!account) throw new errors.InvalidGrant("subject_token names no user of this IdP");
    const targetClient: Client | undefined = await provider.Client.find(target.client_id);
    if (!targetClient) throw new errors.InvalidTarget("the target client is not registered");

    const info = await resources.getResourceServerInfo(ctx, target.resource, targetClient);
    const resourceServer = new provider.ResourceServer(target.resource, info);
    const allowed = new Set(resourceServer.scope.split(" "));
    const scope = String(subject.scope ?? "")
      .split(" ")
      .filter((s) => allowed.has(s))
      .join(" ");
    const left = (subject.exp as number) - Math.floor(Date.now() / 1000);
    const expiresIn = Math.min(left, resourceServer.accessTokenTTL ?? settings.IDP_ACCESS_TOKEN_TTL);
    if (expiresIn <= 0) throw new errors.InvalidGrant("subject_token has expired");

    ctx.oidc.entity("Account", account);
    if (resourceServer.accessTokenFormat !== "jwt") throw new errors.InvalidTarget("the target API takes no JWT");
    // No grant stands behind an exchanged token (the subject token is the proof, and the new
    // token ends with it); JWT access tokens are never stored, so there is nothing to revoke by
    // grant either. @types/oidc-provider asks for a grantId all the same.
    const init = {
      accountId: account.accountId,
      client: targetClient,
      resourceServer,
      scope: scope || undefined,
      gty: TOKEN_EXCHANGE_GRANT,
      expiresIn,
    } as unknown as ConstructorParameters<typeof provider.AccessToken>[0];
    const token = new provider.AccessToken(init);
    const value = await token.save();
    logger.info(
      {
        event: "token_exchange",
        client_id: client.clientId,
        as_client_id: target.client_id,
        resource: target.resource,
        sub: account.accountId,
      },
      "contrast token issued",
    );
    ctx.body = {
      access_token: value,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: "Bearer",
      expires_in: expiresIn,
      ...(token.scope ? { scope: token.scope } : {}),
    };
  }

  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, handler, [
    "subject_token",
    "subject_token_type",
    "requested_token_type",
    "resource",
    AS_CLIENT_PARAM,
  ]);
}
