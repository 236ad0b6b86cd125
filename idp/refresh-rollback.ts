/**
 * Takes back a refresh-token rotation whose answer never reached the client.
 *
 * The IdP rotates refresh tokens and treats a second use of an old one as theft (the whole
 * grant is revoked). When the client gives up waiting (a timeout) after the IdP has rotated but
 * before the answer was written, the client still holds only the old token, and its one honest
 * retry would look like theft. So: when the connection is gone before the token response was
 * handed to it, the old refresh token becomes usable again and the new one, which nobody
 * received, is deleted. A response that was written is never taken back, so reuse of a token
 * whose successor was delivered stays theft. Best effort: a proxy that buffers the answer and
 * drops it later looks like a delivery, and the retry is then treated as reuse, as before.
 */
import type Koa from "koa";
import type { KoaContextWithOIDC } from "oidc-provider";
import type { Database } from "./db.ts";
import type { Logger } from "./logger.ts";

export function rollBackUndeliveredRotation(tokenPath: string, db: Database, logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.method !== "POST" || ctx.path !== tokenPath || ctx.status !== 200) return;
    const { entities } = (ctx as unknown as KoaContextWithOIDC).oidc ?? {};
    const rotated = entities?.RotatedRefreshToken;
    const issued = entities?.RefreshToken;
    if (!rotated?.jti || !issued?.jti || rotated.jti === issued.jti) return;

    const rollBack = async () => {
      const revived = await db.idpOidcModel.updateMany({
        where: { kind: "RefreshToken", id: rotated.jti, consumedAt: { not: null } },
        data: { consumedAt: null },
      });
      await db.idpOidcModel.deleteMany({ where: { kind: "RefreshToken", id: issued.jti } });
      logger.warn(
        { grantId: rotated.grantId, revived: revived.count === 1 },
        "refresh answer not delivered; rotation taken back",
      );
    };
    const undelivered = () => !ctx.res.writableFinished;
    const report = (error: unknown) => logger.error({ err: error }, "could not take back an undelivered rotation");
    if (ctx.res.destroyed || ctx.req.socket.destroyed) {
      await rollBack().catch(report);
      return;
    }
    ctx.res.once("close", () => {
      if (undelivered()) rollBack().catch(report);
    });
  };
}
