/**
 * The app's one Management API client, configured by MANAGEMENT_* settings: the local IdP by
 * default, an Auth0 tenant (a Machine-to-Machine application authorized for the Auth0
 * Management API) by settings alone.
 */
import "server-only";
import { providerMetadata } from "../issuer/discovery";
import { env } from "../env";
import { createManagementClient } from "./client";

export { ManagementError, type ManagementClient, type ManagementRole, type ManagementUser } from "./client";

export const management = createManagementClient({
  tokenEndpoint: async () => (await providerMetadata()).token_endpoint,
  clientId: env.MANAGEMENT_CLIENT_ID,
  clientSecret: env.MANAGEMENT_CLIENT_SECRET,
  audience: env.MANAGEMENT_AUDIENCE,
});
