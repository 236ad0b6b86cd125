/**
 * The registered clients (docs/contract.md): the web app, confidential, and a command-line client,
 * public, using an RFC 8252 loopback redirect.
 */
import type { ClientMetadata } from "oidc-provider";
import type { IdpSettings } from "./env.ts";
import { SIGNING_ALG } from "./keys.ts";

export const WEB_CLIENT_ID = "claimtrip-web";
export const CLI_CLIENT_ID = "claimtrip-cli";

/** Clients the operator owns: no consent screen for their users. */
export const FIRST_PARTY_CLIENTS: ReadonlySet<string> = new Set([WEB_CLIENT_ID, CLI_CLIENT_ID]);

/** Auth.js calls back here; its provider id is `claimtrip`. */
export function webRedirectUri(appUrl: string): string {
  return `${appUrl}/api/auth/callback/claimtrip`;
}

export function clients(settings: IdpSettings): ClientMetadata[] {
  const common = {
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    id_token_signed_response_alg: SIGNING_ALG,
  } satisfies Partial<ClientMetadata>;
  return [
    {
      ...common,
      client_id: WEB_CLIENT_ID,
      client_name: "Claimtrip",
      application_type: "web",
      client_secret: settings.IDP_WEB_CLIENT_SECRET,
      // oidc-provider accepts client_secret_post as well for a client registered with _basic.
      token_endpoint_auth_method: "client_secret_basic",
      redirect_uris: [webRedirectUri(settings.APP_URL)],
      post_logout_redirect_uris: [`${settings.APP_URL}/`],
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
  ];
}
