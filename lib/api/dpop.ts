/**
 * DPoP at the app's API (RFC 9449), wired to the app's settings and database: the mode
 * (API_DPOP), the `jti` replay store every instance shares, the public URL a proof's `htu` must
 * name, and the API's Protected Resource Metadata (RFC 9728) that clients discover it from.
 */
import "server-only";
import { db } from "../db";
import { env } from "../env";
import { logger } from "../logger";
import { createDpopVerifier, type ReplayStore } from "../resource-server";

/** Expired `jti`s are deleted at most this often per process. Default: 1 minute */
const SWEEP_EVERY_MS = 60_000;
let nextSweep = 0;

/**
 * Accepted proofs' `jti`s in the DpopProofJti table: the primary key lets exactly one of two
 * copies in, in whichever instance they arrive.
 */
export const databaseReplayStore: ReplayStore = {
  async add(id, expiresAt) {
    const now = Date.now();
    if (now >= nextSweep) {
      nextSweep = now + SWEEP_EVERY_MS;
      db.dpopProofJti
        .deleteMany({ where: { expiresAt: { lt: new Date(now) } } })
        .catch((err: unknown) =>
          logger.warn({ event: "dpop_jti_sweep_failed", err }, "could not delete expired DPoP jtis"),
        );
    }
    try {
      await db.dpopProofJti.create({ data: { id, expiresAt } });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === "P2002") return false;
      throw error;
    }
  },
};

/**
 * The URL the client called: APP_URL (the app's public origin, whatever proxy sits in front)
 * with the request's path. The Host and X-Forwarded-* headers a client sends play no part.
 */
export function publicUrl(request: Request): string {
  return `${env.APP_URL}${new URL(request.url).pathname}`;
}

export const dpopVerifier = createDpopVerifier({
  mode: env.API_DPOP,
  replayStore: databaseReplayStore,
  algorithms: ["ES256", "EdDSA", "Ed25519", "PS256", "RS256"],
  requestUrl: publicUrl,
});

const METADATA_PATH = "/.well-known/oauth-protected-resource";

/**
 * Where the metadata lives (RFC 9728 §3.1): the well-known path followed by the resource's own
 * path when the API's identifier is a URL on this app (http://localhost:3000/api ->
 * /.well-known/oauth-protected-resource/api); at the bare well-known path otherwise.
 */
export function resourceMetadataUrl(): string {
  const audience = URL.parse(env.API_AUDIENCE);
  const onThisApp = audience !== null && audience.origin === new URL(env.APP_URL).origin;
  const path = onThisApp && audience.pathname !== "/" ? audience.pathname.replace(/\/$/, "") : "";
  return `${env.APP_URL}${METADATA_PATH}${path}`;
}

/** The API's Protected Resource Metadata (RFC 9728 §2). */
export function resourceMetadata(): Record<string, unknown> {
  const dpop = dpopVerifier.mode !== "off";
  return {
    resource: env.API_AUDIENCE,
    authorization_servers: [env.AUTH_ISSUER],
    bearer_methods_supported: ["header"],
    ...(dpop ? { dpop_signing_alg_values_supported: dpopVerifier.algorithms } : {}),
    dpop_bound_access_tokens_required: dpopVerifier.mode === "required",
  };
}
