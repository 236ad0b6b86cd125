import { authenticate, rolesOf } from "@/lib/api-auth";

/** Any valid access token for this API: what the API read from it. */
export async function GET(request: Request) {
  const result = await authenticate(request);
  if (!result.ok) return result.response;
  const { payload } = result.token;
  return Response.json(
    {
      sub: payload.sub,
      client_id: typeof payload.client_id === "string" ? payload.client_id : null,
      scope: typeof payload.scope === "string" ? payload.scope : null,
      roles: rolesOf(payload),
      claims: payload,
    },
    { headers: { "cache-control": "no-store" } },
  );
}
