/**
 * The token inspector's view of the signed-in user's own tokens: decoded claims, for display
 * only. Nothing here decides anything (the API verifies the token it is sent), and the raw
 * tokens stay on the server: only these claim objects reach the page.
 */
import "server-only";
import { decodeJwt } from "jose";
import { readTokens } from "../tokens/store";
import { env } from "../env";

export interface InspectedTokens {
  idToken: Record<string, unknown> | null;
  accessToken: Record<string, unknown> | null;
  hasRefreshToken: boolean;
  /**
   * When the app will next refresh the access token (seconds since the epoch): AUTH_REFRESH_SKEW
   * before it expires. A role changed at the IdP shows up then, at the latest.
   */
  nextRefreshAt: number | null;
}

function decodeForDisplay(token: string | null): Record<string, unknown> | null {
  if (!token) return null;
  try {
    return decodeJwt(token);
  } catch {
    // An opaque access token (an IdP that ignored the audience) has no claims to show.
    return { opaque: "not a JWT: the IdP issued an opaque token (was the API audience requested?)" };
  }
}

export async function inspectTokens(sessionId: string): Promise<InspectedTokens | null> {
  const tokens = await readTokens(sessionId);
  if (!tokens) return null;
  return {
    idToken: decodeForDisplay(tokens.idToken),
    accessToken: decodeForDisplay(tokens.accessToken),
    hasRefreshToken: tokens.hasRefreshToken,
    nextRefreshAt: tokens.expiresAt === null ? null : tokens.expiresAt - env.AUTH_REFRESH_SKEW,
  };
}
