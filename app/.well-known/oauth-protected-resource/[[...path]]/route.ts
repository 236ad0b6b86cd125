import { resourceMetadata, resourceMetadataUrl } from "@/lib/api/dpop";

/**
 * The API's Protected Resource Metadata (RFC 9728): which issuer's tokens it takes, how, and
 * whether they must be DPoP-bound. Served at the bare well-known path and at the path
 * RFC 9728 §3.1 derives from the API's identifier (/.well-known/oauth-protected-resource/api).
 */
export function GET(request: Request) {
  const path = new URL(request.url).pathname;
  const served = ["/.well-known/oauth-protected-resource", new URL(resourceMetadataUrl()).pathname];
  if (!served.includes(path)) return new Response(null, { status: 404 });
  return Response.json(resourceMetadata(), { headers: { "cache-control": "public, max-age=300" } });
}
