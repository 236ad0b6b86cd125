/**
 * Adds the user's roles to access tokens for the app's API, and only there: the claim is the
 * web app's business, so other clients (claimtrip-cli) and other APIs (urn:claimtrip:reports)
 * never see it, and it stays out of ID tokens. The same body runs as an Auth0 Action (README).
 * The claim's name is the ROLES_CLAIM setting (handed over as a secret, as an Auth0 Action would
 * get it), so a tenant's own namespace works here too.
 */
import { ROLES_CLAIM } from "../../lib/shared/claims.ts";
import type { PostLoginApi, PostLoginEvent } from "./types.ts";

export async function onExecutePostLogin(event: PostLoginEvent, api: PostLoginApi): Promise<void> {
  // Rule 1, the client check (the token inspector's contrast names these rules).
  if (event.client.client_id !== "claimtrip-web") return;
  // Rule 2, the audience check. The audience comes from settings (Auth0: an Action secret), never a URL typed here.
  if (!event.secrets.API_AUDIENCE || event.resource_server?.identifier !== event.secrets.API_AUDIENCE) return;
  // Rule 3: the claim. Role assignments (Auth0 RBAC), never app_metadata.roles: the IdP moves those to assignments
  // at start-up, so a role removed through the Management API cannot linger there.
  api.accessToken.setCustomClaim(event.secrets.ROLES_CLAIM ?? ROLES_CLAIM, event.authorization.roles);
}
