/**
 * Builds the IdP: an oidc-provider instance (a Koa application) with the Claimtrip pieces
 * plugged in. server.ts starts it on the issuer's port; tests start it in-process on a port of
 * their own with their own settings, database and actions.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type Koa from "koa";
import Provider from "oidc-provider";
import { isDeployed, resolveLogFormat } from "../lib/shared/settings.ts";
import { createFindAccount, createUserDirectory } from "./account.ts";
import { postLoginActions } from "./actions/index.ts";
import { loadActions } from "./actions/runtime.ts";
import type { PostLoginAction } from "./actions/types.ts";
import { createPrismaAdapter, sweepExpired } from "./adapter.ts";
import { installBackchannelLogout, stopBackchannelRetries, type BackchannelOptions } from "./backchannel.ts";
import { buildConfiguration, ROUTES } from "./config.ts";
import { openDatabase, type Database } from "./db.ts";
import { repoRoot, SettingsError, type IdpSettings } from "./env.ts";
import { logProviderEvents } from "./events.ts";
import { FIRST_PARTY_CLIENTS, MANAGEMENT_CLIENT_ID, managementAudience } from "./clients.ts";
import { offlineAccessConsent } from "./grants.ts";
import { interactionRoutes } from "./interactions.ts";
import { loadOrCreateKeys, toProviderJwks } from "./keys.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createManagementAuth } from "./management/auth.ts";
import { managementRoutes } from "./management/routes.ts";
import { errorBoundary, healthz, requestLog, securityHeaders } from "./middleware.ts";
import { createPostLoginHooks } from "./post-login.ts";
import { createLoginLimiter, type LoginLimits } from "./rate-limit.ts";
import { rollBackUndeliveredRotation } from "./refresh-rollback.ts";
import { audienceParameter, createResourceRegistry } from "./resources.ts";
import { migrateAppMetadataRoles } from "./roles.ts";
import { demoUsersWithPublishedPasswords } from "./seed.ts";
import { installTokenExchange } from "./token-exchange.ts";
import { pageStylesLoader } from "./views/styles.ts";

/** Where `npm run idp:css` writes the Tailwind build, which every page inlines (views/styles.ts). */
export const STYLESHEET_PATH = join(repoRoot, "idp/.data/styles.css");

/** How often expired sessions, codes and tokens are deleted. */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

export interface CreateIdpOptions {
  settings: IdpSettings;
  /** The database; default: opened from `settings.DATABASE_URL` and closed by `close()`. */
  db?: Database;
  /** Post-login actions in order; default: the list in idp/actions/index.ts. */
  actions?: readonly PostLoginAction[];
  /** Default: a pino logger at `settings.LOG_LEVEL`, in `settings.LOG_FORMAT`. */
  logger?: Logger;
  /** Login rate limits; default: 5 failures per account and 20 per address in 15 minutes. */
  limits?: LoginLimits;
  /** Retries of back-channel logout deliveries; default: after 1, 5 and 15 seconds. */
  backchannel?: BackchannelOptions;
}

export interface Idp {
  provider: Provider;
  /** A Node request handler (`http.createServer(idp.callback)`). */
  callback: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  db: Database;
  logger: Logger;
  /** Stops background work and closes the database if this IdP opened it. */
  close(): Promise<void>;
}

/**
 * Koa's view of the client behind IDP_TRUST_PROXY_HOPS proxies. With none (the default), the
 * socket is the client and X-Forwarded-* is ignored: trusting it would let any client pick its
 * address (and so escape the per-address login limit) or claim https. With N, each proxy appends
 * the address it saw to X-Forwarded-For, so only the last N entries are the proxies' word
 * (`maxIpsCount`), and the first of those is the client: an entry the client wrote itself, to
 * the left, is never read.
 */
function trustProxies(provider: Provider, settings: IdpSettings): void {
  provider.proxy = settings.IDP_TRUST_PROXY_HOPS > 0;
  provider.maxIpsCount = settings.IDP_TRUST_PROXY_HOPS;
}

/**
 * Behind trusted proxies the IdP is reached at its issuer: scheme and host come from there, not
 * from X-Forwarded-Proto / X-Forwarded-Host, which a proxy may pass through from the client.
 * Koa then sees https behind a TLS proxy and oidc-provider marks its cookies Secure.
 */
function publicOriginFromIssuer(issuer: string): Koa.Middleware {
  const { protocol, host } = new URL(issuer);
  const scheme = protocol.replace(/:$/, "");
  return async (ctx, next) => {
    ctx.req.headers["x-forwarded-proto"] = scheme;
    ctx.req.headers["x-forwarded-host"] = host;
    await next();
  };
}

export async function createIdp(options: CreateIdpOptions): Promise<Idp> {
  const { settings } = options;
  const logger =
    options.logger ??
    createLogger(settings.LOG_LEVEL, undefined, resolveLogFormat(settings.LOG_FORMAT, process.stdout.isTTY));
  // Refuses badly named claims before anything listens.
  const actions = loadActions(options.actions ?? postLoginActions);
  const keys = await loadOrCreateKeys(settings.IDP_DATA_DIR);
  const ownsDb = !options.db;
  const db = options.db ?? openDatabase(settings.DATABASE_URL);

  // The demo users' passwords are in the README: a deployed IdP does not start with them.
  if (isDeployed(settings.NODE_ENV, settings.IDP_ISSUER)) {
    const published = await demoUsersWithPublishedPasswords(db);
    if (published.length) {
      if (ownsDb) await db.$disconnect();
      throw new SettingsError(
        `Refusing to start in production: ${published.join(", ")} still ${published.length === 1 ? "has" : "have"} the demo password from the README; ` +
          "set another with `npm run db:seed -- password <email>` (the password on stdin)",
      );
    }
  }

  // Roles left in app_metadata by an older version become role assignments before anyone signs
  // in: the post-login action reads assignments only, and the Management API changes only those.
  const moved = await migrateAppMetadataRoles(db);
  if (moved) logger.info({ users: moved }, "moved app_metadata.roles to role assignments");
  if (!settings.IDP_MANAGEMENT_CLIENT_SECRET) {
    logger.warn(
      "IDP_MANAGEMENT_CLIENT_SECRET is not set: claimtrip-management is not registered (run `npm run setup`)",
    );
  }

  const directory = createUserDirectory(db);
  const resources = createResourceRegistry(settings);
  const postLogin = createPostLoginHooks({
    actions,
    secrets: { API_AUDIENCE: settings.API_AUDIENCE, APP_URL: settings.APP_URL, ROLES_CLAIM: settings.ROLES_CLAIM },
    pickResource: resources.pickResource,
    logger,
  });

  const findAccount = createFindAccount(directory);
  const provider = new Provider(
    settings.IDP_ISSUER,
    buildConfiguration({
      settings,
      adapter: createPrismaAdapter(db),
      findAccount,
      jwks: toProviderJwks(keys),
      resources,
      postLogin,
    }),
  );
  trustProxies(provider, settings);
  postLogin.install(provider);
  installTokenExchange(provider, { settings, keys, resources, findAccount, logger });
  logProviderEvents(provider, logger);
  installBackchannelLogout(provider, logger, options.backchannel);

  // Before oidc-provider's own routes, in this order.
  if (settings.IDP_TRUST_PROXY_HOPS > 0) provider.use(publicOriginFromIssuer(settings.IDP_ISSUER));
  provider.use(requestLog(logger));
  provider.use(errorBoundary(logger));
  provider.use(securityHeaders(pageStylesLoader(STYLESHEET_PATH)));
  provider.use(rollBackUndeliveredRotation(ROUTES.token, db, logger));
  provider.use(healthz(db, logger));
  provider.use(
    managementRoutes({
      provider,
      db,
      logger,
      authenticate: createManagementAuth({
        issuer: settings.IDP_ISSUER,
        audience: managementAudience(settings.IDP_ISSUER),
        clientId: MANAGEMENT_CLIENT_ID,
        keys,
      }),
    }),
  );
  provider.use(audienceParameter(ROUTES));
  provider.use(offlineAccessConsent(ROUTES.authorization, FIRST_PARTY_CLIENTS));
  provider.use(
    interactionRoutes({
      provider,
      directory,
      limiter: createLoginLimiter(options.limits),
      firstParty: FIRST_PARTY_CLIENTS,
      logger,
      authorizationPath: ROUTES.authorization,
    }),
  );

  const sweeper = setInterval(() => {
    sweepExpired(db).catch((error: unknown) => logger.warn({ err: error }, "could not delete expired IdP records"));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  return {
    provider,
    callback: provider.callback(),
    db,
    logger,
    async close() {
      clearInterval(sweeper);
      stopBackchannelRetries(provider);
      if (ownsDb) await db.$disconnect();
    },
  };
}
