/**
 * Starts the IdP on the issuer's port:  npm run idp  (node --experimental-strip-types idp/server.ts)
 *
 * Settings come from the environment and <repo>/.env.local (idp/env.ts). SIGTERM or SIGINT
 * stops it gracefully: no new connections, in-flight requests finish, the database closes.
 */
// First: holds back oidc-provider's own runtime line while the modules below load it.
import { nodeVerdict, releaseConsole } from "./node-check.ts";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { discoveryUrl } from "../lib/resource-server/discovery.ts";
import { ActionDefinitionError } from "./actions/runtime.ts";
import { createIdp, STYLESHEET_PATH } from "./app.ts";
import { issuerPort, loadSettings, repoRoot, SettingsError, type IdpSettings } from "./env.ts";
import type { Logger } from "./logger.ts";

/** How long in-flight requests get to finish on shutdown. */
const SHUTDOWN_GRACE_MS = 5_000;

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

async function main(): Promise<void> {
  releaseConsole();
  let settings: IdpSettings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    console.error(error.message);
    process.exit(1);
  }

  const idp = await createIdp({ settings });
  const { logger } = idp;
  const node = nodeVerdict(process.versions.node);
  if (!node.tested) logger.warn({ node: process.version }, node.message);
  buildStylesheetIfMissing(settings, logger);

  const server = createServer(idp.callback);
  server.on("error", (error: NodeJS.ErrnoException) => {
    const hint = error.code === "EADDRINUSE" ? ` (port ${issuerPort(settings)} is taken; is another IdP running?)` : "";
    console.error(`IdP could not listen: ${error.message}${hint}`);
    process.exit(1);
  });
  server.listen(issuerPort(settings), () => {
    logger.info(
      {
        issuer: settings.IDP_ISSUER,
        discovery: discoveryUrl(settings.IDP_ISSUER),
        node: process.version,
      },
      "IdP listening",
    );
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "IdP stopping");
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(() => {
      idp.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "error while stopping");
          process.exit(1);
        },
      );
    });
    server.closeIdleConnections();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  // Start-up problems an operator can fix get one line; anything else keeps its stack.
  if (error instanceof ActionDefinitionError || error instanceof SettingsError) {
    console.error(error instanceof Error ? error.message : String(error));
  } else {
    console.error(error);
  }
  process.exit(1);
});
