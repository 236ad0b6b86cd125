/**
 * Revoking a user's access at the IdP: what `POST /api/v2/users/{id}/revoke-access` does. Ends
 * every IdP session of the user (the next sign-in asks for the password) and revokes every grant
 * with its refresh tokens, codes and opaque access tokens; then every client that took part in
 * one of those sessions and registered a `backchannel_logout_uri` is sent a logout token for it
 * (OpenID Connect Back-Channel Logout), so the web app ends the matching app sessions within
 * seconds instead of at its next refresh. The deliveries (retried with backoff, backchannel.ts)
 * run on after this returns: the caller's answer never waits for them.
 *
 * JWT access tokens already issued cannot be recalled: they stay valid until they expire.
 */
import type { Client, Provider } from "oidc-provider";
import { deliverLogout, type DeliveryOutcome } from "./backchannel.ts";

export interface RevokeAccessResult {
  /** IdP sessions ended. */
  sessions: number;
  /** Grants revoked, with every token and code issued under them. */
  grants: number;
  /** The back-channel logout deliveries, under way; a CLI about to exit waits for them. */
  deliveries: Promise<DeliveryOutcome[]>;
}

interface AccountIndexedAdapter {
  findIdsByAccountId(accountId: string): Promise<string[]>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** The adapter of a model, when it can list rows by account (idp/adapter.ts can). */
function indexed(model: { adapter: unknown }, name: string): AccountIndexedAdapter {
  const adapter = model.adapter as Partial<AccountIndexedAdapter>;
  if (typeof adapter.findIdsByAccountId !== "function")
    throw new Error(`the ${name} adapter cannot list records by account`);
  return adapter as AccountIndexedAdapter;
}

export async function revokeUserAccess(provider: Provider, accountId: string): Promise<RevokeAccessResult> {
  const sessions = indexed(provider.Session, "Session");
  const grants = indexed(provider.Grant, "Grant");
  const sessionIds = await sessions.findIdsByAccountId(accountId);
  const grantIds = await grants.findIdsByAccountId(accountId);

  // Who must hear of each session's end: the clients that took part in it, by that session's sid.
  const notices: { client: Client; sid: string | undefined }[] = [];
  for (const id of sessionIds) {
    const session = await provider.Session.find(id);
    for (const clientId of Object.keys(session?.authorizations ?? {})) {
      const client = await provider.Client.find(clientId);
      if (client?.backchannelLogoutUri) notices.push({ client, sid: session!.sidFor(clientId) });
    }
  }

  for (const id of sessionIds) await sessions.destroy(id);
  for (const grantId of grantIds) {
    // The adapter deletes every token and code of the grant, whatever the model (adapter.ts).
    await indexed(provider.RefreshToken, "RefreshToken").revokeByGrantId(grantId);
    await grants.destroy(grantId);
  }

  // Only now that nothing at the IdP would sign the user back in silently are the clients told.
  const deliveries = Promise.all(notices.map(({ client, sid }) => deliverLogout(provider, client, accountId, sid)));
  return { sessions: sessionIds.length, grants: grantIds.length, deliveries };
}
