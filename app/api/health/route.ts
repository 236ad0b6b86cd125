import type { HealthResponse } from "@/lib/api/types";
import { db } from "@/lib/db";
import { jsonNoStore } from "@/lib/http/json";

/** Liveness and readiness: answers once the app can serve, which includes reaching its database. */
export async function GET() {
  try {
    await db.$queryRaw`SELECT 1`;
    return jsonNoStore({ ok: true } satisfies HealthResponse);
  } catch {
    return jsonNoStore({ ok: false } satisfies HealthResponse, { status: 503 });
  }
}
