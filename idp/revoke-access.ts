/**
 * Revoking a user's access at the IdP: what `POST /api/v2/users/{id}/revoke-access` does. Ends
 * every IdP session of the user (the next sign-in asks for the password) and revokes every grant
 * with its refresh tokens, codes and opaque access tokens (the app's next refresh fails, so its
 * session ends at the latest when the access token it holds expires).
 *
 * JWT access tokens already issued cannot be recalled: they stay valid until they expire.
 */
import type { Provider } from "oidc-provider";

export interface RevokeAccessResult {
  /** IdP sessions ended. */
  sessions: number;
  /** Grants revoked, with every token and code issued under them. */
  grants: number;
}

interface AccountIndexedAdapter {
  findIdsByAccountId(accountId: string): Promise<string[]>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** The adapter of a model, when it can list rows by account (idp/adapter.ts can). */
function indexed(model: { adapter: unknown }, name: string): AccountIndexedAdapter {
  const adapter = model.adapter as Partial<AccountIndexedAdapter>;
  if (typeof adapter.findIdsByAccountId !== "function") throw new Error(`the ${name} adapter cannot list records by account`);
  return adapter as AccountIndexedAdapter;
}

export async function revokeUserAccess(provider: Provider, accountId: string): Promise<RevokeAccessResult> {
  const sessions = indexed(provider.Session, "Session");
  const grants = indexed(provider.Grant, "Grant");
  const sessionIds = await sessions.findIdsByAccountId(accountId);
  const grantIds = await grants.findIdsByAccountId(accountId);
  for (const id of sessionIds) await sessions.destroy(id);
  for (const grantId of grantIds) {
    // The adapter deletes every token and code of the grant, whatever the model (adapter.ts).
    await indexed(provider.RefreshToken, "RefreshToken").revokeByGrantId(grantId);
    await grants.destroy(grantId);
  }
  return { sessions: sessionIds.length, grants: grantIds.length };
}
