/**
 * Revoking a user's access at the IdP: every IdP session of the user ends, every grant (with
 * its refresh tokens, codes and opaque access tokens) is revoked, and every client that took
 * part in one of those sessions and registered a `backchannel_logout_uri` is sent a logout token
 * for it, so the web app ends the matching app sessions within seconds instead of at its next
 * refresh. Used by the seed CLI (`roles … --sign-out`) and the Management API's revoke-access.
 *
 * JWT access tokens already issued cannot be recalled; they expire on their own (IDP_ACCESS_TOKEN_TTL).
 */
import type { Client, Provider } from "oidc-provider";
import { findIdsByAccountId } from "./adapter.ts";
import { deliverLogout, type DeliveryOutcome } from "./backchannel.ts";

export interface RevokeAccessResult {
  /** IdP sessions ended. */
  sessions: number;
  /** Grants revoked. */
  grants: number;
  /**
   * The back-channel logout deliveries, under way when this resolves: the caller's answer never
   * waits for them (a CLI that is about to exit should).
   */
  deliveries: Promise<DeliveryOutcome[]>;
}

export async function revokeUserAccess(provider: Provider, accountId: string): Promise<RevokeAccessResult> {
  const notices: { client: Client; sid: string | undefined }[] = [];
  const grantIds = new Set(await findIdsByAccountId(provider.Grant, accountId));

  const sessionIds = await findIdsByAccountId(provider.Session, accountId);
  let sessions = 0;
  for (const id of sessionIds) {
    const session = await provider.Session.find(id);
    if (!session) continue;
    for (const [clientId, authorization] of Object.entries(session.authorizations ?? {})) {
      if (authorization.grantId) grantIds.add(authorization.grantId);
      const client = await provider.Client.find(clientId);
      if (client?.backchannelLogoutUri) notices.push({ client, sid: session.sidFor(clientId) });
    }
    await session.destroy();
    sessions += 1;
  }

  for (const grantId of grantIds) {
    await Promise.all([
      provider.AccessToken.adapter.revokeByGrantId(grantId),
      provider.AuthorizationCode.adapter.revokeByGrantId(grantId),
      provider.RefreshToken.adapter.revokeByGrantId(grantId),
    ]);
    await provider.Grant.adapter.destroy(grantId);
  }

  // Only now that nothing at the IdP would sign the user back in silently are the clients told.
  const deliveries = Promise.all(notices.map(({ client, sid }) => deliverLogout(provider, client, accountId, sid)));
  return { sessions, grants: grantIds.size, deliveries };
}
