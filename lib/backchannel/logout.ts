/**
 * OpenID Connect Back-Channel Logout, the app's side (POST /api/auth/backchannel-logout): the IdP
 * posts a logout token when a session ends there, and the app ends the app sessions that IdP
 * session created, each with its tokens, and nothing else.
 *
 * Sessions go by `sid` (recorded at sign-in, ../auth/new-session.ts; and of the `sub` user when the
 * token names one too), or every session of `sub` when no `sid` is named. The `jti` is stored in the
 * database until the token could no longer be accepted, so a replay fails in every app instance;
 * an ended `sid` is kept as long (./ended-sid.ts), so a sign-in of that IdP session still completing
 * ends too. Answers: 200, also when no session matched (nothing for the IdP to retry); 400 with no
 * detail for bad input (the reason is logged), never a 5xx; 503 when the keys cannot be fetched,
 * so the IdP retries.
 */
import "server-only";
import { createHash } from "node:crypto";
import { db } from "../db";
import { env } from "../env";
import { ISSUER_KEYS_BACKOFF_MS, issuerAlgorithms, issuerKeys } from "../issuer/keys";
import { loggerFor } from "../logger";
import { BodyTooLargeError, readBoundedBody } from "../resource-server";
import {
  createLogoutTokenVerifier,
  LogoutKeysUnavailableError,
  LogoutTokenError,
  type LogoutClaims,
} from "./logout-token";
import { endedSidKey } from "./ended-sid";
import { PROVIDER_ID } from "../auth/provider";

/** A logout token is at most 8 KiB; the form around it gets twice that. */
const MAX_BODY_BYTES = 16 * 1024;

const verifier = createLogoutTokenVerifier({
  keys: issuerKeys,
  issuer: env.AUTH_ISSUER,
  clientId: env.AUTH_CLIENT_ID,
  algorithms: issuerAlgorithms,
});

const NO_STORE = { "cache-control": "no-store" };

export async function handleBackchannelLogout(request: Request): Promise<Response> {
  const log = loggerFor(request.headers).child({ event: "backchannel_logout" });
  try {
    const token = await readLogoutToken(request);
    const claims = await verifier.verify(token);
    await rememberJti(claims);
    const ended = await endSessions(claims);
    log.info({ outcome: "done", by: claims.sid ? "sid" : "sub", ended }, "back-channel logout: app sessions ended");
    return new Response(null, { status: 200, headers: NO_STORE });
  } catch (error) {
    if (error instanceof LogoutTokenError) {
      log.warn({ outcome: "refused", reason: error.reason }, "back-channel logout refused");
      return Response.json({ error: "invalid_request" }, { status: 400, headers: NO_STORE });
    }
    if (error instanceof LogoutKeysUnavailableError) {
      log.error(
        { outcome: "keys_unavailable", err: error.cause },
        "back-channel logout: the IdP's keys cannot be fetched",
      );
      return Response.json(
        { error: "temporarily_unavailable" },
        { status: 503, headers: { ...NO_STORE, "retry-after": String(Math.ceil(ISSUER_KEYS_BACKOFF_MS / 1000)) } },
      );
    }
    log.error({ outcome: "error", err: error }, "back-channel logout failed");
    return Response.json({ error: "server_error" }, { status: 500, headers: NO_STORE });
  }
}

/** The one `logout_token` of a form-encoded body of bounded size. */
async function readLogoutToken(request: Request): Promise<string> {
  const type = request.headers.get("content-type");
  if (type?.split(";")[0]?.trim().toLowerCase() !== "application/x-www-form-urlencoded")
    throw new LogoutTokenError("content_type");
  const declared = request.headers.get("content-length");
  if (declared !== null && !(/^\d{1,9}$/.test(declared) && Number(declared) <= MAX_BODY_BYTES)) {
    throw new LogoutTokenError("body_too_large");
  }
  const tokens = new URLSearchParams(await readBody(request)).getAll("logout_token");
  if (tokens.length !== 1) throw new LogoutTokenError(tokens.length === 0 ? "missing" : "repeated");
  return tokens[0]!;
}

/** The body as UTF-8 text, read no further than MAX_BODY_BYTES whatever Content-Length said. */
async function readBody(request: Request): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readBoundedBody(request.body, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new LogoutTokenError("body_too_large");
    throw error;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new LogoutTokenError("body_encoding");
  }
}

/** Records the token's `jti`; a `jti` recorded before (here or by another instance) is a replay. */
async function rememberJti(claims: LogoutClaims): Promise<void> {
  const id = createHash("sha256").update(`${env.AUTH_ISSUER}\n${claims.jti}`).digest("hex");
  await db.logoutTokenJti.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  if (await db.logoutTokenJti.findUnique({ where: { id }, select: { id: true } }))
    throw new LogoutTokenError("replayed");
  // Two deliveries of one token at once: the primary key lets exactly one of them in.
  try {
    await db.logoutTokenJti.create({ data: { id, expiresAt: claims.acceptableUntil } });
  } catch (error) {
    if ((error as { code?: unknown }).code === "P2002") throw new LogoutTokenError("replayed");
    throw error;
  }
}

/** Deletes the app sessions the token names; returns how many. */
async function endSessions({ sid, sub, acceptableUntil }: LogoutClaims): Promise<number> {
  if (sid !== undefined) {
    // Recorded before the delete (a new session is checked after its write): see ../auth/new-session.ts.
    const id = endedSidKey(sid);
    await db.endedIdpSession.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    await db.endedIdpSession
      .upsert({ where: { id }, create: { id, expiresAt: acceptableUntil }, update: {} })
      .catch((error) => {
        // Two tokens for one `sid` at once: the other one recorded it.
        if ((error as { code?: unknown }).code !== "P2002") throw error;
      });
  }
  let userIds: string[] | undefined;
  if (sub !== undefined) {
    const accounts = await db.account.findMany({
      where: { provider: PROVIDER_ID, providerAccountId: sub },
      select: { userId: true },
    });
    userIds = accounts.map((account) => account.userId);
    if (userIds.length === 0) return 0;
  }
  const { count } = await db.session.deleteMany({
    where: sid !== undefined ? { sid, ...(userIds ? { userId: { in: userIds } } : {}) } : { userId: { in: userIds! } },
  });
  return count;
}
