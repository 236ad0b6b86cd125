/**
 * oidc-provider's configuration object, in one place and in the order of its documentation.
 * Everything it needs from outside (storage, accounts, keys, actions) is passed in, so tests
 * build their own provider from their own settings.
 */
import { hkdfSync } from "node:crypto";
import {
  errors,
  type AdapterFactory,
  type Configuration,
  type FindAccount,
  type KoaContextWithOIDC,
} from "oidc-provider";
import type { JWK } from "jose";
import { clients, FIRST_PARTY_CLIENTS, MANAGEMENT_CLIENT_SCOPES } from "./clients.ts";
import type { IdpSettings } from "./env.ts";
import { loadFirstPartyGrant } from "./grants.ts";
import type { PostLoginHooks } from "./post-login.ts";
import type { ResourceRegistry } from "./resources.ts";
import { contrastDiscovery } from "./token-exchange.ts";
import {
  AUTHORIZATION_CODE_TTL,
  GRANT_TTL,
  ID_TOKEN_TTL,
  INTERACTION_TTL,
  REFRESH_TOKEN_TTL,
  SESSION_TTL,
} from "./ttl.ts";
import { logoutPage } from "./views/logout.ts";
import { errorPage, messagePage } from "./views/message.ts";

export interface ConfigurationDeps {
  settings: IdpSettings;
  /** Storage for sessions, grants and tokens. */
  adapter: AdapterFactory;
  findAccount: FindAccount;
  /** Private signing keys, the signing one first. */
  jwks: { keys: JWK[] };
  resources: ResourceRegistry;
  postLogin: PostLoginHooks;
}

/** The routes other modules need to know (oidc-provider's defaults, spelled out). */
export const ROUTES = {
  authorization: "/auth",
  token: "/token",
  userinfo: "/me",
  jwks: "/jwks",
  end_session: "/session/end",
  revocation: "/token/revocation",
} as const;

/**
 * Whether the logout request's `id_token_hint` (already validated by oidc-provider: signature,
 * issuer, audience) was issued to the account signed in here. Anyone can get an ID token of
 * their own and put it in a link; only the session's own user's token proves that this user's
 * app asked for the sign-out.
 */
/**
 * The secret DPoP nonces are derived from (32 bytes, as oidc-provider wants), itself derived from
 * the newest cookie key: every instance of the IdP shares it, and no new setting is needed.
 */
function dpopNonceSecret(settings: IdpSettings): Buffer {
  const [newest] = settings.IDP_COOKIE_KEYS;
  return Buffer.from(hkdfSync("sha256", newest ?? "", "", "claimtrip dpop nonce", 32));
}

function hintNamesSessionAccount(ctx: KoaContextWithOIDC): boolean {
  const sub = ctx.oidc.entities.IdTokenHint?.payload.sub;
  return typeof sub === "string" && sub === ctx.oidc.session?.accountId;
}

export function buildConfiguration({
  settings,
  adapter,
  findAccount,
  jwks,
  resources,
  postLogin,
}: ConfigurationDeps): Configuration {
  return {
    adapter,
    clients: clients(settings),
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name"],
    },
    // The Management API's scopes are listed too: oidc-provider accepts only scopes it knows in a
    // client's registered `scope`, which is where claimtrip-management's allowed scopes live.
    scopes: ["openid", "offline_access", "profile", "email", ...MANAGEMENT_CLIENT_SCOPES],
    // The token inspector's contrast targets, on a local IdP only (token-exchange.ts).
    discovery: contrastDiscovery(settings),
    // Like Auth0, put the profile and email claims the scopes asked for into the ID token too,
    // so a client needs no userinfo call to know who signed in.
    conformIdTokenClaims: false,
    cookies: {
      keys: settings.IDP_COOKIE_KEYS,
      long: { httpOnly: true, sameSite: "lax" },
      short: { httpOnly: true, sameSite: "lax" },
    },
    features: {
      backchannelLogout: { enabled: true },
      // Only claimtrip-management registers this grant: the Management API's tokens (management/).
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      // DPoP (RFC 9449): any client that sends a proof at the token endpoint gets access tokens
      // bound to its key (`cnf.jkt`, token_type DPoP); discovery advertises
      // dpop_signing_alg_values_supported. A proof must carry a nonce this IdP issued (the
      // client retries once on `use_dpop_nonce`), so a proof signed ahead of time is useless;
      // and a proof's `jti` is used once (allowReplay: false, kept through the adapter).
      dPoP: {
        enabled: true,
        nonceSecret: dpopNonceSecret(settings),
        requireNonce: () => true,
        allowReplay: false,
      },
      // Unused by our clients, and the audience/offline_access handling covers only /auth.
      pushedAuthorizationRequests: { enabled: false },
      revocation: {
        enabled: true,
        // RFC 7009 §2.1: a client revokes its own tokens only. A confidential client is told why
        // not; a public one gets the same 200 as for a success (it proves nothing, learns nothing).
        async allowedPolicy(_ctx, client, token) {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === "none") return false;
          throw new errors.InvalidRequest("client is not authorized to revoke the presented token");
        },
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.type = "html";
          ctx.body = logoutPage({
            form,
            autoSubmit: hintNamesSessionAccount(ctx),
            nonce: String(ctx.state.cspNonce ?? ""),
            clientName: ctx.oidc.client?.clientName,
          });
        },
        postLogoutSuccessSource(ctx) {
          ctx.type = "html";
          ctx.body = messagePage({
            title: "Signed out",
            message: "You have signed out of Claimtrip. You can close this window.",
          });
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: resources.defaultResource,
        getResourceServerInfo: resources.getResourceServerInfo,
        useGrantedResource: resources.useGrantedResource,
      },
    },
    extraTokenClaims: postLogin.extraTokenClaims,
    // oidc-provider refuses to connect to loopback and private addresses (SSRF protection for
    // URLs a client registers). The one URL this IdP calls is the web app's back-channel logout
    // endpoint, built from APP_URL, an operator's setting, and on localhost in development: let
    // that origin through, and keep the protection for any other.
    fetch(input, init) {
      const url = new URL(input instanceof Request ? input.url : input);
      if (url.origin !== new URL(settings.APP_URL).origin || !init) return globalThis.fetch(input, init);
      const { dispatcher: _ssrfGuard, ...rest } = init as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(input, rest);
    },
    findAccount,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    jwks,
    async loadExistingGrant(ctx) {
      // Actions run first: a denied login never gets a grant saved.
      await postLogin.gate(ctx);
      return loadFirstPartyGrant(ctx, FIRST_PARTY_CLIENTS);
    },
    // PKCE (S256, the only method oidc-provider 9 supports) for every client, public or not.
    pkce: { required: () => true },
    renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = errorPage(out);
    },
    responseTypes: ["code"],
    // Always rotate; a consumed refresh token presented again revokes the whole grant. The
    // actions run here because this is the last moment before the old token is consumed.
    async rotateRefreshToken(ctx) {
      await postLogin.beforeRefresh(ctx);
      return true;
    },
    routes: { ...ROUTES },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? settings.IDP_ACCESS_TOKEN_TTL,
      AuthorizationCode: AUTHORIZATION_CODE_TTL,
      // The Management API's tokens (client credentials) live as long as any access token.
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? settings.IDP_ACCESS_TOKEN_TTL,
      Grant: GRANT_TTL,
      IdToken: ID_TOKEN_TTL,
      Interaction: INTERACTION_TTL,
      RefreshToken: REFRESH_TOKEN_TTL,
      Session: SESSION_TTL,
    },
  };
}
