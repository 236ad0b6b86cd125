/**
 * The IdP's HTTP server on the issuer's port: started by idp/server.ts (`npm run idp`, the IdP as
 * a process of its own) and by `npm start`, which runs it beside the web app in one process
 * (scripts/host.ts).
 */
// First: holds back oidc-provider's own runtime line while the modules below load it.
import { nodeVerdict, releaseConsole } from "./node-check.ts";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { discoveryUrl } from "../lib/resource-server/discovery.ts";
import { closeGracefully, listen } from "../lib/shared/http-server.ts";
import { createIdp, STYLESHEET_PATH } from "./app.ts";
import { issuerPort, repoRoot, type IdpSettings } from "./env.ts";
import type { Logger } from "./logger.ts";

/** In development, build the Tailwind stylesheet once if nobody has (pages use a fallback meanwhile). */
function buildStylesheetIfMissing(settings: IdpSettings, logger: Logger): void {
  if (settings.NODE_ENV === "production" || existsSync(STYLESHEET_PATH)) return;
  const cli = join(repoRoot, "node_modules/.bin/tailwindcss");
  if (!existsSync(cli)) return;
  const child = spawn(cli, ["-i", join(repoRoot, "idp/views/styles.css"), "-o", STYLESHEET_PATH, "--minify"], {
    cwd: repoRoot,
    stdio: "ignore",
  });
  child.on("exit", (exitCode) =>
    logger.info(
      { exitCode },
      exitCode === 0 ? "built the login page stylesheet" : "could not build the stylesheet; using the fallback",
    ),
  );
  child.on("error", () => undefined);
}

/** The IdP could not take its port: one line for the operator, no stack. */
export class IdpListenError extends Error {
  override name = "IdpListenError";
}

export interface RunningIdp {
  logger: Logger;
  server: Server;
  /** Stops gracefully: no new connections, in-flight requests finish, the database closes. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** Starts the IdP with `settings`; resolves once it listens. */
export async function startIdp(settings: IdpSettings): Promise<RunningIdp> {
  releaseConsole();
  const idp = await createIdp({ settings });
  const { logger } = idp;
  const node = nodeVerdict(process.versions.node);
  if (!node.tested) logger.warn({ node: process.version }, node.message);
  buildStylesheetIfMissing(settings, logger);

  const server = createServer(idp.callback);
  try {
    await listen(server, issuerPort(settings), "IdP");
  } catch (error) {
    await idp.close().catch(() => undefined);
    throw new IdpListenError((error as Error).message);
  }
  logger.info(
    { issuer: settings.IDP_ISSUER, discovery: discoveryUrl(settings.IDP_ISSUER), node: process.version },
    "IdP listening",
  );

  return {
    logger,
    server,
    stop: async (signal) => {
      logger.info({ signal }, "IdP stopping");
      await closeGracefully(server);
      await idp.close();
    },
  };
}
