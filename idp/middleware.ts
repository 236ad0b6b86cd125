/**
 * Koa middleware the IdP puts in front of oidc-provider's routes: error boundary, request
 * log, security headers with a strict CSP, and /healthz.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { errors } from "oidc-provider";
import type Koa from "koa";
import type { Database } from "./db.ts";
import { withRequestId, type Logger } from "./logger.ts";
import { messagePage } from "./views/message.ts";
import type { PageStyles } from "./views/styles.ts";

/**
 * Errors thrown outside oidc-provider's own handlers (our routes and middleware) become a
 * clean response: OAuth errors as `{ error, error_description }`, anything else as a generic
 * 500 with the details only in the log. No stack trace leaves the server.
 */
export function errorBoundary(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const oauth = error instanceof errors.OIDCProviderError && error.expose;
      const status = oauth ? error.status : 500;
      const out = oauth
        ? { error: error.error, error_description: error.error_description ?? error.error }
        : { error: "server_error", error_description: "Something went wrong on the sign-in server." };
      if (!oauth) logger.error({ err: error, path: ctx.path }, "unhandled error");
      ctx.status = status;
      ctx.set("Cache-Control", "no-store");
      if (ctx.accepts("json", "html") === "html") {
        ctx.type = "html";
        ctx.body = messagePage({ title: "Sign-in problem", message: out.error_description });
      } else {
        ctx.body = out;
      }
    }
  };
}

/**
 * A fresh request id per request, on every line logged while it is handled (`reqId`) and in the
 * response's `X-Request-Id`; and one line per request: method, path (never the query string,
 * which can hold tokens), status, time.
 */
export function requestLog(logger: Logger): Koa.Middleware {
  return (ctx, next) => {
    const reqId = randomUUID();
    ctx.set("X-Request-Id", reqId);
    return withRequestId(reqId, async () => {
      const started = performance.now();
      try {
        await next();
      } finally {
        const ms = Math.round(performance.now() - started);
        logger.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms }, "request");
      }
    });
  };
}

/**
 * A fresh nonce per response (`ctx.state.cspNonce`) and a CSP that allows nothing inline but
 * nonce'd scripts and the pages' own CSS, by its hash (`styles`: views/styles.ts). Set before
 * the route runs: oidc-provider appends the hash of its own auto-submit scripts to this header.
 * `form-action` is left out on purpose: browsers apply it to the redirects that follow a form
 * post, and ours end at the client's redirect URI.
 */
export function securityHeaders(styles: () => Promise<PageStyles>): Koa.Middleware {
  return async (ctx, next) => {
    const nonce = randomBytes(16).toString("base64");
    ctx.state.cspNonce = nonce;
    const { source } = await styles();
    ctx.set({
      "Content-Security-Policy": [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        `style-src ${source}`,
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join("; "),
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "no-referrer",
      "Cross-Origin-Opener-Policy": "same-origin",
    });
    await next();
  };
}

/** GET /healthz: 200 `{ ok: true }` when the database answers, 503 otherwise. */
export function healthz(db: Database, logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path !== "/healthz" || (ctx.method !== "GET" && ctx.method !== "HEAD")) return next();
    ctx.set("Cache-Control", "no-store");
    try {
      await db.$queryRaw`SELECT 1`;
      ctx.body = { ok: true };
    } catch (error) {
      logger.error({ err: error }, "health check: database unreachable");
      ctx.status = 503;
      ctx.body = { ok: false };
    }
  };
}
