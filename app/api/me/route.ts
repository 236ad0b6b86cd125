import { authenticate, readRoles } from "@/lib/api/guard";
import type { MeResponse } from "@/lib/api/types";
import { jsonNoStore } from "@/lib/http/json";

/** Any valid access token for this API: what the API read from it. */
export async function GET(request: Request) {
  const result = await authenticate(request);
  if (!result.ok) return result.response;
  const { payload } = result.token;
  return jsonNoStore({
    sub: payload.sub,
    client_id: typeof payload.client_id === "string" ? payload.client_id : null,
    scope: typeof payload.scope === "string" ? payload.scope : null,
    roles: readRoles(payload),
    claims: payload,
  } satisfies MeResponse);
}
