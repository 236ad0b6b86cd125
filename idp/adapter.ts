/**
 * oidc-provider's storage adapter over the `IdpOidcModel` table: sessions, interactions,
 * grants, codes and tokens survive a restart. One row per model instance, keyed by
 * (kind, id); the payload is the JSON the provider handed over, untouched.
 *
 * Contract: oidc-provider's example/my_adapter.js.
 */
import { errors, type Adapter, type AdapterFactory, type AdapterPayload } from "oidc-provider";
import type { Database } from "./db.ts";

const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

/** Models that belong to a grant and die with it (oidc-provider's in-memory adapter's list). */
const GRANTABLE = [
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
  "PreAuthorizedCode",
];

/** oidc-provider's words for a code or refresh token used again (events.ts logs the second as theft). */
const ALREADY_USED: Record<string, string> = {
  AuthorizationCode: "authorization code already consumed",
  RefreshToken: "refresh token already used",
};

class PrismaAdapter implements Adapter {
  readonly #db: Database;
  readonly #kind: string;

  constructor(db: Database, kind: string) {
    this.#db = db;
    this.#kind = kind;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    const data = {
      payload: JSON.stringify(payload),
      grantId: typeof payload.grantId === "string" ? payload.grantId : null,
      userCode: typeof payload.userCode === "string" ? payload.userCode : null,
      uid: typeof payload.uid === "string" ? payload.uid : null,
      expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
    };
    await this.#db.idpOidcModel.upsert({
      where: { kind_id: { kind: this.#kind, id } },
      create: { kind: this.#kind, id, ...data },
      update: data,
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    // Clients are only the statically configured ones: no dynamic registration to look up.
    if (this.#kind === "Client") return undefined;
    const row = await this.#db.idpOidcModel.findUnique({ where: { kind_id: { kind: this.#kind, id } } });
    return this.#toPayload(row);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const row = await this.#db.idpOidcModel.findFirst({ where: { kind: this.#kind, uid } });
    return this.#toPayload(row);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const row = await this.#db.idpOidcModel.findFirst({ where: { kind: this.#kind, userCode } });
    return this.#toPayload(row);
  }

  async consume(id: string): Promise<void> {
    // Conditional, so that of concurrent requests presenting one code or refresh token exactly
    // one consumes it: oidc-provider checks `consumed` on the copy it read before, which the
    // others read too. They are reuse, answered as oidc-provider answers a later replay: the
    // grant and every token of it revoked, then invalid_grant.
    const { count } = await this.#db.idpOidcModel.updateMany({
      where: { kind: this.#kind, id, consumedAt: null },
      data: { consumedAt: new Date() },
    });
    if (count > 0) return;
    const row = await this.#db.idpOidcModel.findUnique({
      where: { kind_id: { kind: this.#kind, id } },
      select: { grantId: true },
    });
    if (row?.grantId) {
      await this.#db.idpOidcModel.deleteMany({
        where: {
          OR: [
            { grantId: row.grantId, kind: { in: GRANTABLE } },
            { kind: "Grant", id: row.grantId },
          ],
        },
      });
    }
    throw new errors.InvalidGrant(ALREADY_USED[this.#kind] ?? `${this.#kind} already consumed`);
  }

  async destroy(id: string): Promise<void> {
    await this.#db.idpOidcModel.deleteMany({ where: { kind: this.#kind, id } });
  }

  /**
   * Not part of oidc-provider's contract: the ids of this model's live rows that belong to an
   * account (sessions and grants carry `accountId`), for revoke-access.ts. The text match only
   * narrows the rows; the parsed payload decides.
   */
  async findIdsByAccountId(accountId: string): Promise<string[]> {
    const rows = await this.#db.idpOidcModel.findMany({
      where: { kind: this.#kind, payload: { contains: `"accountId":${JSON.stringify(accountId)}` } },
      select: { id: true, payload: true, expiresAt: true, consumedAt: true },
    });
    return rows.filter((row) => this.#toPayload(row)?.accountId === accountId).map((row) => row.id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // Every token and code of the grant goes, whatever this adapter's model, as in
    // oidc-provider's own in-memory adapter; the provider destroys the Grant itself separately.
    await this.#db.idpOidcModel.deleteMany({ where: { grantId, kind: { in: GRANTABLE } } });
  }

  #toPayload(
    row: { payload: string; expiresAt: Date | null; consumedAt: Date | null } | null,
  ): AdapterPayload | undefined {
    if (!row) return undefined;
    // Expired rows are dead even before the sweeper removes them.
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumedAt ? { ...payload, consumed: epoch(row.consumedAt) } : payload;
  }
}

/** The `adapter` option for oidc-provider: one adapter per model name, sharing a client. */
export function createPrismaAdapter(db: Database): AdapterFactory {
  return (name) => new PrismaAdapter(db, name);
}

/** Deletes rows past their expiry; returns how many. Run periodically by the server. */
export async function sweepExpired(db: Database, now: Date = new Date()): Promise<number> {
  const { count } = await db.idpOidcModel.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
