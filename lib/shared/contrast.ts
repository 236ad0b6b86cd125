/**
 * The token inspector's contrast, as a protocol between the app and an IdP that offers it: OAuth
 * 2.0 Token Exchange (RFC 8693) of the app's own access token for the tokens the IdP issues, for
 * the same user, to another client and for another API. The local IdP offers it when it is not
 * deployed (idp/token-exchange.ts); the app asks only an IdP that advertises it
 * (lib/inspector/contrast.ts). Constants only, shared by both programs.
 */

/** RFC 8693 §2.1 */
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

/** RFC 8693 §3 */
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** The discovery field listing the targets the IdP exchanges for (an array of {@link ContrastTarget}). */
export const CONTRAST_TARGETS_FIELD = "claimtrip_contrast_targets";

/**
 * The token request parameter naming the client the token is issued as. RFC 8693's `audience`
 * names a service, not a client; the API stays the `resource` (RFC 8707).
 */
export const AS_CLIENT_PARAM = "as_client_id";

/** One token the contrast may ask for: as this client, for this API. */
export interface ContrastTarget {
  client_id: string;
  resource: string;
}
