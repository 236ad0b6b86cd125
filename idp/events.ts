/**
 * Logs what oidc-provider reports: tokens issued, failed grants, refresh-token reuse, revoked
 * grants, server errors. Only identifiers and error codes are logged, never a token.
 */
import type { KoaContextWithOIDC, Provider } from "oidc-provider";
import type { Logger } from "./logger.ts";
import { ActionServerError } from "./post-login.ts";

interface ProviderError {
  error?: string;
  error_description?: string;
  error_detail?: string;
}

/** What oidc-provider 9 says when a rotated (consumed) refresh token comes back. */
const REFRESH_TOKEN_REUSE = "refresh token already used";

export function logProviderEvents(provider: Provider, logger: Logger): void {
  const who = (ctx: KoaContextWithOIDC) => ({ client_id: ctx.oidc?.client?.clientId });
  const why = (err: ProviderError) => ({
    error: err.error,
    error_description: err.error_description,
    detail: err.error_detail,
  });

  provider.on("authorization.success", (ctx: KoaContextWithOIDC) => logger.info(who(ctx), "authorization code issued"));
  provider.on("authorization.error", (ctx: KoaContextWithOIDC, err: ProviderError) =>
    logger.info({ ...who(ctx), ...why(err) }, "authorization request failed"),
  );
  provider.on("grant.success", (ctx: KoaContextWithOIDC) =>
    logger.info({ ...who(ctx), grant_type: ctx.oidc.params?.grant_type }, "tokens issued"),
  );
  provider.on("grant.error", (ctx: KoaContextWithOIDC, err: ProviderError) => {
    if (err.error_detail === REFRESH_TOKEN_REUSE) {
      logger.warn({ ...who(ctx) }, "refresh token reuse detected: the grant and all its tokens were revoked");
    } else {
      logger.info({ ...who(ctx), grant_type: ctx.oidc?.params?.grant_type, ...why(err) }, "token request failed");
    }
  });
  provider.on("grant.revoked", (ctx: KoaContextWithOIDC, grantId: string) =>
    logger.info({ ...who(ctx), grant_id: grantId }, "grant revoked"),
  );
  provider.on("end_session.success", (ctx: KoaContextWithOIDC) => logger.info(who(ctx), "signed out"));
  provider.on("server_error", (ctx: KoaContextWithOIDC, err: Error) => {
    // Failing actions are logged with their details where they fail (post-login.ts).
    if (err instanceof ActionServerError) return;
    logger.error({ ...who(ctx), route: ctx.oidc?.route, err }, "server error");
  });
}
