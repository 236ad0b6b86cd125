import { handleBackchannelLogout } from "@/lib/backchannel/logout";

/**
 * OpenID Connect Back-Channel Logout: the IdP posts a logout token here when a session ends at
 * the IdP, and the app sessions it names end (lib/backchannel/logout.ts). A static segment,
 * so it wins over the Auth.js catch-all beside it; exempt from the same-origin check
 * (lib/http/same-origin.ts), because the IdP's server posts it, proving itself with a signed token.
 */
export function POST(request: Request): Promise<Response> {
  return handleBackchannelLogout(request);
}
