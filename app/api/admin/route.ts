import { authenticateAdmin } from "@/lib/api-auth";
import { listUsersWithSessions } from "@/lib/users";

/** Admins only, decided by the verified access token's roles claim. */
export async function GET(request: Request) {
  const result = await authenticateAdmin(request);
  if (!result.ok) return result.response;
  return Response.json({ users: await listUsersWithSessions() }, { headers: { "cache-control": "no-store" } });
}
