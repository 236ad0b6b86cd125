import { authenticateAdmin } from "@/lib/api/guard";
import type { AdminResponse } from "@/lib/api/types";
import { jsonNoStore } from "@/lib/http/json";
import { listUsersWithSessions } from "@/lib/admin/users";

/** Admins only, decided by the verified access token's roles claim. */
export async function GET(request: Request) {
  const result = await authenticateAdmin(request);
  if (!result.ok) return result.response;
  return jsonNoStore({ users: await listUsersWithSessions() } satisfies AdminResponse);
}
