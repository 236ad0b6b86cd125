/**
 * Role-change attempts per acting admin: at most {@link ADMIN_CHANGE_LIMIT} in a fixed window.
 * Counted in the database (one row per admin and window, incremented in one statement), so that
 * every app instance counts against the same limit and parallel attempts cannot overrun it. A
 * fixed window lets up to twice the limit through around a window's edge; for something that
 * only slows a runaway script or a stolen session, that is enough.
 */
import "server-only";
import type { Database } from "../../prisma/client";

export interface AttemptLimit {
  /** Attempts allowed per window. Default: 10 */
  attempts: number;
  /** Window length in seconds. Default: 60 */
  windowSeconds: number;
}

export const ADMIN_CHANGE_LIMIT: AttemptLimit = { attempts: 10, windowSeconds: 60 };

/** Counts an attempt of `actorSub` at `now` (ms); true when it is within the limit. */
export type AttemptCounter = (actorSub: string, now: number) => Promise<boolean>;

export function createAttemptCounter(db: Database, limit: AttemptLimit = ADMIN_CHANGE_LIMIT): AttemptCounter {
  return async (actorSub, now) => {
    const seconds = Math.floor(now / 1000);
    const windowStart = BigInt(seconds - (seconds % limit.windowSeconds));
    // INSERT … ON CONFLICT DO UPDATE … RETURNING: the same statement on SQLite and PostgreSQL,
    // atomic on both, so two instances never read the same count.
    const rows = await db.$queryRaw<{ attempts: number | bigint }[]>`
      INSERT INTO "AdminChangeAttempts" ("actorSub", "windowStart", "attempts") VALUES (${actorSub}, ${windowStart}, 1)
      ON CONFLICT ("actorSub", "windowStart") DO UPDATE SET "attempts" = "AdminChangeAttempts"."attempts" + 1
      RETURNING "attempts"`;
    await db.adminChangeAttempts.deleteMany({ where: { windowStart: { lt: windowStart } } });
    const attempts = rows[0]?.attempts;
    return attempts !== undefined && Number(attempts) <= limit.attempts;
  };
}
