/** The real collaborators of lib/admin/change.ts, from the app's settings. */
import "server-only";
import { verifyAdminToken } from "../api/guard";
import { endUserSessions } from "../tokens/store";
import { PROVIDER_ID } from "../auth/provider";
import { db } from "../db";
import { env } from "../env";
import { logger } from "../logger";
import { management } from "../management";
import { recordAudit } from "./audit";
import type { ChangeDeps } from "./change";
import { createAttemptCounter } from "./rate-limit";
import { verifiedAuthTime } from "./recent-sign-in";

/** Ends every session this app holds for the IdP user `sub`, each with its tokens. */
export async function endAppSessions(sub: string): Promise<number> {
  const account = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: PROVIDER_ID, providerAccountId: sub } },
    select: { userId: true },
  });
  return account ? endUserSessions(account.userId) : 0;
}

export function changeDeps(log = logger): ChangeDeps {
  return {
    verifyAdminToken,
    management,
    authTime: verifiedAuthTime,
    maxAgeSeconds: env.ADMIN_REAUTH_MAX_AGE,
    now: Date.now,
    endAppSessions,
    countAttempt: createAttemptCounter(db),
    audit: recordAudit,
    log,
  };
}
