/**
 * The registered clients (docs/contract.md): the web app, confidential; a command-line client,
 * public, using an RFC 8252 loopback redirect; and the Management API's machine client,
 * confidential, client credentials only.
 */
import type { ClientMetadata } from "oidc-provider";
import { TOKEN_EXCHANGE_GRANT } from "../lib/shared/contrast.ts";
import { isDeployed } from "../lib/shared/settings.ts";
import type { IdpSettings } from "./env.ts";
import { SIGNING_ALG } from "./keys.ts";

export const WEB_CLIENT_ID = "claimtrip-web";
export const CLI_CLIENT_ID = "claimtrip-cli";
export const MANAGEMENT_CLIENT_ID = "claimtrip-management";

/**
 * The scopes claimtrip-management may hold at the Management API, listed in its registration
 * (`scope`): exactly what the app's role management needs, as on an Auth0 Machine-to-Machine
 * application authorized for the Auth0 Management API.
 */
export const MANAGEMENT_CLIENT_SCOPES = [
  "read:users",
  "read:roles",
  "update:users",
  "delete:sessions",
  "delete:refresh_tokens",
] as const;

/** Clients the operator owns: no consent screen for their users. */
export const FIRST_PARTY_CLIENTS: ReadonlySet<string> = new Set([WEB_CLIENT_ID, CLI_CLIENT_ID]);

/** Whether this IdP offers the token inspector's contrast (token-exchange.ts): a local one does, a deployed one never. */
export function contrastEnabled(settings: IdpSettings): boolean {
  return !isDeployed(settings.NODE_ENV, settings.IDP_ISSUER);
}

/** Auth.js calls back here; its provider id is `claimtrip`. */
export function webRedirectUri(appUrl: string): string {
  return `${appUrl}/api/auth/callback/claimtrip`;
}

/** The app's back-channel logout endpoint (app/api/auth/backchannel-logout). */
export function webBackchannelLogoutUri(appUrl: string): string {
  return `${appUrl}/api/auth/backchannel-logout`;
}

/** The Management API's audience (Auth0: `https://TENANT/api/v2/`). */
export function managementAudience(issuer: string): string {
  return `${issuer}/api/v2/`;
}

export function clients(settings: IdpSettings): ClientMetadata[] {
  const common = {
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    id_token_signed_response_alg: SIGNING_ALG,
    // The sign-in scopes only: the Management API's scopes are known to the IdP too, and are for
    // claimtrip-management alone.
    scope: "openid offline_access profile email",
  } satisfies Partial<ClientMetadata>;
  return [
    {
      ...common,
      client_id: WEB_CLIENT_ID,
      client_name: "Claimtrip",
      application_type: "web",
      // A local IdP also lets the web app exchange its user's access token for the token
      // inspector's contrast (token-exchange.ts); a deployed one does not.
      ...(contrastEnabled(settings) ? { grant_types: [...common.grant_types, TOKEN_EXCHANGE_GRANT] } : {}),
      client_secret: settings.IDP_WEB_CLIENT_SECRET,
      // oidc-provider accepts client_secret_post as well for a client registered with _basic.
      token_endpoint_auth_method: "client_secret_basic",
      redirect_uris: [webRedirectUri(settings.APP_URL)],
      post_logout_redirect_uris: [`${settings.APP_URL}/`],
      // OpenID Connect Back-Channel Logout: the IdP tells the app when a session ends here, and
      // names it (`sid`, also put in every ID token) so the app ends exactly the sessions it made.
      backchannel_logout_uri: webBackchannelLogoutUri(settings.APP_URL),
      backchannel_logout_session_required: true,
      // Every ID token says when the user signed in: the app asks for a recent sign-in before an
      // admin changes roles (and checks auth_time itself; Auth.js does not).
      require_auth_time: true,
    },
    {
      ...common,
      client_id: CLI_CLIENT_ID,
      client_name: "Claimtrip CLI",
      // `native` makes oidc-provider match loopback redirect URIs on any port (RFC 8252 §7.3):
      // http://127.0.0.1:53124/callback matches the registered http://127.0.0.1/callback.
      application_type: "native",
      token_endpoint_auth_method: "none",
      redirect_uris: ["http://127.0.0.1/callback"],
    },
    // Registered only when its secret is set (`npm run setup` writes it).
    ...(settings.IDP_MANAGEMENT_CLIENT_SECRET
      ? [
          {
            client_id: MANAGEMENT_CLIENT_ID,
            client_name: "Claimtrip management",
            client_secret: settings.IDP_MANAGEMENT_CLIENT_SECRET,
            token_endpoint_auth_method: "client_secret_basic",
            grant_types: ["client_credentials"],
            response_types: [],
            redirect_uris: [],
            scope: MANAGEMENT_CLIENT_SCOPES.join(" "),
          } satisfies ClientMetadata,
        ]
      : []),
  ];
}
